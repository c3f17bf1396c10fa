namespace DPoP.Http.Internal;

/// <summary>
/// When a client-credentials provider may next try an early renewal (one inside the
/// <see cref="DPoPTokenClientOptions.RefreshBeforeExpiry"/> window, while the cached token is still valid) after
/// failed ones: 1 s after the first failure, then 2, 4, 8, 16 and at most 30 s, and never later than the token's
/// expiry (then callers wait for a renewal anyway).
/// </summary>
/// <remarks>
/// Written under the provider's lock; <see cref="Allows"/> reads without it, on the path of callers inside the window.
/// </remarks>
internal sealed class EarlyRenewalBackoff
{
    /// <summary>The wait after the first failed early renewal; doubled after each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    internal static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between early renewal attempts.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    // When the next early renewal may start (UTC ticks; 0 = now), and the failures since the last success.
    private long _nextTicks;
    private int _failures;

    /// <summary>Whether an early renewal may start at <paramref name="now"/>.</summary>
    public bool Allows(DateTimeOffset now) => now.UtcTicks >= Volatile.Read(ref _nextTicks);

    /// <summary>A renewal succeeded: early renewals may start at once again. Returns the failures before it.</summary>
    public int Reset()
    {
        var failures = _failures;
        _failures = 0;
        Volatile.Write(ref _nextTicks, 0);
        return failures;
    }

    /// <summary>
    /// A renewal failed at <paramref name="now"/>. With a token still valid until <paramref name="validUntil"/>, the
    /// next early renewal waits; returns that wait (zero without a valid token).
    /// </summary>
    public TimeSpan OnFailure(DateTimeOffset now, DateTimeOffset? validUntil)
    {
        var failures = ++_failures;
        if (validUntil is not { } expiresAt)
        {
            return TimeSpan.Zero;
        }

        var delay = failures > 5 ? MaxRetryDelay : TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << (failures - 1), MaxRetryDelay.Ticks));
        var next = DPoPTokenResponseReader.AddClamped(now, delay);
        Volatile.Write(ref _nextTicks, (next < expiresAt ? next : expiresAt).UtcTicks);
        return delay;
    }
}
