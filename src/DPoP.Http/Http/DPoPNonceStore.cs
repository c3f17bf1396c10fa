using System.Collections.Concurrent;

namespace DPoP.Http;

/// <summary>
/// The default <see cref="IDPoPNonceStore"/>: in memory, thread-safe, bounded. Reads take no lock; when more than
/// <c>capacity</c> origins are stored, the least recently used ones are evicted.
/// </summary>
public sealed class DPoPNonceStore : IDPoPNonceStore
{
    private readonly ConcurrentDictionary<DPoPOrigin, Entry> _entries = new();
    private readonly Lock _evictionLock = new();
    private readonly int _capacity;
    private readonly long _lifetimeTicks;
    private readonly long _refreshTicks;
    private readonly TimeProvider _timeProvider;
    private int _count;

    /// <summary>Creates a store.</summary>
    /// <param name="capacity">How many origins to remember (at least 1).</param>
    /// <param name="lifetime">
    /// How long a nonce is used after the server last sent it; null keeps it until replaced. A server that repeats the
    /// same nonce keeps it alive (the stored time is refreshed at most every sixteenth of the lifetime).
    /// </param>
    /// <param name="timeProvider">The clock for <paramref name="lifetime"/> and recency; the system clock by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1 or <paramref name="lifetime"/> is not positive.</exception>
    public DPoPNonceStore(int capacity = 1000, TimeSpan? lifetime = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (lifetime is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(lifetime));
        }

        _capacity = capacity;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _lifetimeTicks = lifetime is { } l ? (long)(l.TotalSeconds * _timeProvider.TimestampFrequency) : long.MaxValue;

        // A repeated nonce restarts its lifetime, but only once per sixteenth of it: a server that sends the same nonce
        // on every response costs a read, not a write on every response. Without a lifetime nothing needs restarting.
        _refreshTicks = lifetime is null ? long.MaxValue : Math.Max(_lifetimeTicks / 16, 1);
    }

    /// <summary>The number of origins currently stored.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    /// <remarks>Completes synchronously: it is <see cref="GetNonce(Uri)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="requestUri"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="requestUri"/> is not absolute, or its host has no punycode form (it breaks the IDNA rules).</exception>
    public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken) => new(GetNonce(requestUri));

    /// <inheritdoc />
    /// <remarks>Completes synchronously: it is <see cref="SetNonce(Uri, string)"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="requestUri"/> or <paramref name="nonce"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="requestUri"/> is not absolute or its host has no punycode form (it breaks the IDNA rules), or
    /// <paramref name="nonce"/> is not <c>1*NQCHAR</c>.
    /// </exception>
    public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken)
    {
        SetNonce(requestUri, nonce);
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets the nonce stored for the origin of <paramref name="requestUri"/>.</summary>
    /// <param name="requestUri">An absolute http(s) request URI.</param>
    /// <returns>The nonce, or null when none is known (or it expired).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requestUri"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="requestUri"/> is not absolute, or its host has no punycode form (it breaks the IDNA rules).</exception>
    public string? GetNonce(Uri requestUri)
    {
        if (!_entries.TryGetValue(DPoPOrigin.Of(requestUri), out var entry))
        {
            return null;
        }

        var now = _timeProvider.GetTimestamp();
        if (now - entry.StoredAt > _lifetimeTicks)
        {
            return null;
        }

        entry.LastUsed = now;
        return entry.Nonce;
    }

    /// <summary>
    /// Stores <paramref name="nonce"/> for the origin of <paramref name="requestUri"/>, replacing the previous one; a
    /// repeat of the stored nonce restarts its lifetime.
    /// </summary>
    /// <param name="requestUri">The absolute http(s) URI of the request whose response carried the nonce.</param>
    /// <param name="nonce">A valid nonce (<c>1*NQCHAR</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="requestUri"/> or <paramref name="nonce"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="requestUri"/> is not absolute or its host has no punycode form (it breaks the IDNA rules), or
    /// <paramref name="nonce"/> is not <c>1*NQCHAR</c>.
    /// </exception>
    public void SetNonce(Uri requestUri, string nonce)
    {
        DPoPSyntax.ThrowIfInvalidNonce(nonce, nameof(nonce));
        var origin = DPoPOrigin.Of(requestUri);
        var now = _timeProvider.GetTimestamp();
        if (_entries.TryGetValue(origin, out var existing))
        {
            // The usual case: a server repeats or rotates the nonce of a known origin; no allocation, no lock.
            existing.Update(nonce, now, _refreshTicks);
            return;
        }

        if (_entries.TryAdd(origin, new Entry(nonce, now)))
        {
            if (Interlocked.Increment(ref _count) > _capacity)
            {
                EvictLeastRecentlyUsed();
            }
        }
        else if (_entries.TryGetValue(origin, out existing))
        {
            existing.Update(nonce, now, _refreshTicks);
        }
    }

    private void EvictLeastRecentlyUsed()
    {
        lock (_evictionLock)
        {
            var excess = Volatile.Read(ref _count) - _capacity;
            if (excess <= 0)
            {
                return;
            }

            // Evict a little below capacity so that a stream of new origins does not scan on every insert.
            var target = Math.Max(excess, _capacity / 10);
            var oldest = new PriorityQueue<DPoPOrigin, long>();
            foreach (var (origin, entry) in _entries)
            {
                oldest.Enqueue(origin, -entry.LastUsed);
                if (oldest.Count > target)
                {
                    oldest.Dequeue();
                }
            }

            while (oldest.TryDequeue(out var origin, out _))
            {
                if (_entries.TryRemove(origin, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
    }

    private sealed class Entry(string nonce, long storedAt)
    {
        private string _nonce = nonce;
        private long _storedAt = storedAt;
        private long _lastUsed = storedAt;

        public string Nonce => Volatile.Read(ref _nonce);

        // A reader may pair a new nonce with the previous store time for an instant; lifetimes are coarse, so that is harmless.
        public long StoredAt => Volatile.Read(ref _storedAt);

        public long LastUsed
        {
            get => Volatile.Read(ref _lastUsed);
            set => Volatile.Write(ref _lastUsed, value);
        }

        public void Update(string nonce, long now, long refreshTicks)
        {
            if (!string.Equals(Volatile.Read(ref _nonce), nonce, StringComparison.Ordinal))
            {
                Volatile.Write(ref _nonce, nonce);
                Volatile.Write(ref _storedAt, now);
                LastUsed = now;
            }
            else if (now - Volatile.Read(ref _storedAt) >= refreshTicks)
            {
                // RFC 9449 §8.2: the server sent this nonce again, so it is still current from now on.
                Volatile.Write(ref _storedAt, now);
            }
        }
    }
}
