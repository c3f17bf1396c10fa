namespace DPoP.Http.Testing;

/// <summary>A key provider whose key the test rotates, as a provider backed by a key vault does; it owns every key it returned.</summary>
public sealed class RotatingKeyProvider(DPoPKey first) : IDPoPKeyProvider, IDisposable
{
    private readonly List<DPoPKey> _keys = [first];
    private DPoPKey _current = first;

    /// <summary>Starts with a generated ES256 key.</summary>
    public RotatingKeyProvider()
        : this(DPoPKey.Generate())
    {
    }

    /// <summary>The key proofs are signed with now.</summary>
    public DPoPKey Current => Volatile.Read(ref _current);

    /// <summary>From now on, proofs are signed with a new key.</summary>
    public DPoPKey Rotate()
    {
        var next = DPoPKey.Generate();
        lock (_keys)
        {
            _keys.Add(next);
        }

        Volatile.Write(ref _current, next);
        return next;
    }

    /// <summary>Returns <see cref="Current"/>, whatever the key name.</summary>
    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(Current);

    /// <summary>Disposes every key the provider returned.</summary>
    public void Dispose()
    {
        lock (_keys)
        {
            _keys.ForEach(k => k.Dispose());
        }
    }
}
