namespace DPoP.Http.Testing;

/// <summary>Keeps the largest value seen across threads without a lock (the stress runs' peak-memory sampler).</summary>
public static class AtomicMaximum
{
    /// <summary>Sets <paramref name="target"/> to <paramref name="value"/> if that is larger, atomically.</summary>
    public static void Raise(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
