using System.Collections.Concurrent;

namespace DPoP.Http.DemoServer;

/// <summary>
/// Remembers the <c>jti</c> of every accepted proof until the proof could no longer pass the <c>iat</c> check
/// (RFC 9449 §11.1), so that a second use of the same proof is refused. Safe for concurrent use.
/// </summary>
internal sealed class ProofReplayCache
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <summary>The number of remembered identifiers (expired ones included until the next sweep).</summary>
    public int Count => _seen.Count;

    /// <summary>
    /// Records <paramref name="jti"/> until <paramref name="expiresAt"/>. Returns false when it is already recorded
    /// and not yet expired: a replay.
    /// </summary>
    public bool TryRecord(string jti, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        SweepIfDue(now);
        while (true)
        {
            if (_seen.TryAdd(jti, expiresAt))
            {
                return true;
            }

            if (!_seen.TryGetValue(jti, out var existing))
            {
                continue; // removed by a sweep in between: try to add again
            }

            if (existing > now)
            {
                return false;
            }

            if (_seen.TryUpdate(jti, expiresAt, existing))
            {
                return true;
            }
        }
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, next) != next)
        {
            return; // not due, or another request is sweeping
        }

        foreach (var entry in _seen)
        {
            if (entry.Value <= now)
            {
                // Removes the entry only if no request re-recorded it in the meantime.
                _seen.TryRemove(entry);
            }
        }
    }
}
