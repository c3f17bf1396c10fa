using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// Token entries shared by every instance of an app through the app's <see cref="HybridCache"/> (its L2 is typically
/// Redis). Consulted only off the hot path — when a provider's own token is missing, due or rejected — and never
/// trusted to answer: a lookup waits at most the client's <see cref="DPoPTokenClientOptions.SharedCacheTimeout"/>,
/// then the caller asks the token endpoint itself, and the cache is left alone for <see cref="Pause"/>.
/// </summary>
/// <remarks>
/// HybridCache already turns an L2 that throws into a miss (and an L2 write that throws into a local-only write), and
/// logs it; what it cannot do is stop a Redis client at its default timeouts from stalling a read for 5–15 s, past the
/// 10 s attempt timeout of <c>AddStandardResilienceHandler</c>. That bound, and the warning, are this class's part.
/// </remarks>
internal sealed class DPoPSharedTokenCache
{
    /// <summary>How long the cache is left alone after a lookup that timed out or failed.</summary>
    internal static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(30);

    // Reads must never populate the cache: a miss stays a miss (no null entry), and a hit is kept by the provider.
    private static readonly HybridCacheEntryOptions ReadOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    private readonly HybridCache _cache;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Action<ILogger, string, string, double> _logUnavailable;
    private readonly Action<ILogger> _logBack;

    // UTC ticks until which the cache is not consulted (0: available), and whether the last lookup failed.
    private long _pausedUntilTicks;
    private int _failing;

    /// <param name="cache">The app's HybridCache.</param>
    /// <param name="timeProvider">The clock for timeouts and the pause.</param>
    /// <param name="logger">Where the warnings go.</param>
    /// <param name="logUnavailable">The warning for a failed lookup (client, reason, pause in seconds); the token one by default.</param>
    /// <param name="logBack">The message for a cache that answers again; the token one by default.</param>
    public DPoPSharedTokenCache(
        HybridCache cache,
        TimeProvider timeProvider,
        ILogger logger,
        Action<ILogger, string, string, double>? logUnavailable = null,
        Action<ILogger>? logBack = null)
    {
        _cache = cache;
        _timeProvider = timeProvider;
        _logger = logger;
        _logUnavailable = logUnavailable ?? DPoPTokenLog.SharedCacheUnavailable;
        _logBack = logBack ?? DPoPTokenLog.SharedCacheBack;
    }

    /// <summary>
    /// How long the cache is left alone after a lookup that timed out or failed. Settable as a test hook: the Redis
    /// outage test shortens the 30 s default pause so that it runs in seconds; no option exposes it.
    /// </summary>
    internal TimeSpan Pause { get; set; } = DefaultPause;

    /// <summary>Whether lookups currently skip the cache because a recent one timed out or failed.</summary>
    internal bool IsPaused => _timeProvider.GetUtcNow().UtcTicks < Volatile.Read(ref _pausedUntilTicks);

    /// <summary>
    /// The entry stored under <paramref name="key"/> (its raw text, null for a miss), and whether the cache answered
    /// at all (false: a timeout, a failure or a pause).
    /// </summary>
    public async ValueTask<(bool Answered, string? Text)> GetAsync(string key, TimeSpan timeout, string clientName)
    {
        if (IsPaused)
        {
            return default;
        }

        using var timeoutSource = new CancellationTokenSource(timeout, _timeProvider);
        Task<string?>? lookup = null;
        try
        {
            lookup = _cache.GetOrCreateAsync(key, static _ => ValueTask.FromResult<string?>(null), ReadOnly, tags: null, timeoutSource.Token).AsTask();

            // WaitAsync bounds the wait even if the cache (or the client under it) ignores the cancellation.
            var value = await lookup.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            OnAnswered();
            return (true, value);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            Observe(lookup);
            OnFailed(clientName, $"no answer within {timeout.TotalMilliseconds:0} ms");
            return default;
        }
        catch (Exception ex)
        {
            // HybridCache turns L2 failures into misses; anything still thrown (a custom HybridCache) counts the same.
            OnFailed(clientName, ex.GetType().Name);
            return default;
        }
    }

    /// <summary>
    /// Stores an entry in the background until <paramref name="expiration"/> from now; never waited for, never throws.
    /// With <paramref name="replace"/>, whatever the key holds is deleted first: HybridCache reads an entry it cannot
    /// use (corrupt, foreign, written as another Redis type) as a miss and may fail to overwrite it, so after a miss the
    /// key is cleared before the new entry is written. That removal is also how a failing L2 shows itself: HybridCache
    /// reads a Redis that refuses connections as a miss, but passes a failed removal on, so it counts as a failed lookup.
    /// </summary>
    public void Set(string key, string value, TimeSpan expiration, bool replace, TimeSpan timeout, string clientName)
    {
        if (IsPaused || expiration <= TimeSpan.Zero)
        {
            return;
        }

        Observe(SetAsync(key, value, new HybridCacheEntryOptions { Expiration = expiration, LocalCacheExpiration = expiration }, replace, timeout, clientName));
    }

    /// <summary>
    /// Removes an entry (from this instance's memory and from L2), waiting at most <paramref name="timeout"/>. A failure
    /// or a timeout is logged and pauses the cache, as for a lookup, and is not thrown. Tried even while the cache is
    /// paused: it is an explicit request, and the other instances may still find the entry.
    /// </summary>
    public async ValueTask RemoveAsync(string key, TimeSpan timeout, string clientName, CancellationToken cancellationToken)
    {
        Task? removal = null;
        try
        {
            removal = _cache.RemoveAsync(key, cancellationToken).AsTask();
            await removal.WaitAsync(timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            OnAnswered();
        }
        catch (TimeoutException)
        {
            Observe(removal);
            OnFailed(clientName, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(removal);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OnFailed(clientName, ex.GetType().Name);
        }
    }

    private async Task SetAsync(string key, string value, HybridCacheEntryOptions options, bool replace, TimeSpan timeout, string clientName)
    {
        if (replace)
        {
            Task? removal = null;
            try
            {
                removal = _cache.RemoveAsync(key).AsTask();
                await removal.WaitAsync(timeout, _timeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Observe(removal);
                OnFailed(clientName, $"no answer within {timeout.TotalMilliseconds:0} ms");
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                OnFailed(clientName, ex.GetType().Name);
                return;
            }
        }

        await _cache.SetAsync(key, value, options).ConfigureAwait(false);
    }

    private void OnAnswered()
    {
        if (Volatile.Read(ref _failing) != 0 && Interlocked.Exchange(ref _failing, 0) != 0)
        {
            _logBack(_logger);
        }
    }

    private void OnFailed(string clientName, string reason)
    {
        var pause = Pause;
        Volatile.Write(ref _pausedUntilTicks, DPoPTokenResponseReader.AddClamped(_timeProvider.GetUtcNow(), pause).UtcTicks);
        Interlocked.Exchange(ref _failing, 1);

        // Rate-limited by the pause: at most one warning per pause, whatever the number of clients and requests.
        _logUnavailable(_logger, clientName, reason, pause.TotalSeconds);
    }

    private static void Observe(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
