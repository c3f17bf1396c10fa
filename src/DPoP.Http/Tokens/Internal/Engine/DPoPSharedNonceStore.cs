using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The nonce store of <c>AddDPoPSharedNonceStore()</c>: this instance's <see cref="DPoPNonceStore"/> first, the app's
/// <see cref="HybridCache"/> (shared by every instance through its L2) only when memory has no nonce for an origin, so
/// a new instance sends its first request to a server with the nonce another instance learned instead of being
/// challenged. Entries are keyed by origin, as in memory: a nonce never reaches another origin.
/// </summary>
/// <remarks>
/// The shared cache is consulted at most once per origin per <see cref="LookupInterval"/> and waits at most
/// <see cref="LookupTimeout"/>; a new nonce is written in the background, a repeated one not at all. A failing cache
/// pauses and warns (<see cref="DPoPSharedTokenCache"/>), and the store keeps working from memory. It lives beside
/// that cache, in the Tokens layer, though it serves the handler: layers only reference the ones below.
/// </remarks>
internal sealed class DPoPSharedNonceStore : IDPoPNonceStore
{
    internal static readonly TimeSpan LookupTimeout = TimeSpan.FromMilliseconds(250);
    internal static readonly TimeSpan LookupInterval = TimeSpan.FromMinutes(1);

    // Servers rotate nonces within minutes; an older shared nonce would only earn the challenge it was meant to save.
    internal static readonly TimeSpan SharedLifetime = TimeSpan.FromMinutes(10);

    private const string KeyPrefix = "dpop:nonce:";
    private const string LogName = "shared nonce store";
    private const int MaxLookedUp = 1000;

    private readonly DPoPNonceStore _local;
    private readonly DPoPSharedTokenCache _shared;
    private readonly TimeProvider _timeProvider;

    // When each origin that memory missed was last looked up in the shared cache: origins that never send a nonce
    // cost one lookup a minute, not one per request.
    private readonly ConcurrentDictionary<DPoPOrigin, long> _lookedUp = new();

    public DPoPSharedNonceStore(HybridCache cache, TimeProvider timeProvider, ILogger logger)
    {
        _timeProvider = timeProvider;
        _local = new DPoPNonceStore(timeProvider: timeProvider);
        _shared = new DPoPSharedTokenCache(
            cache,
            timeProvider,
            logger,
            static (l, _, reason, pause) => DPoPHandlerLog.SharedNonceCacheUnavailable(l, reason, pause),
            DPoPHandlerLog.SharedNonceCacheBack);
    }

    public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken)
    {
        var nonce = _local.GetNonce(requestUri);
        if (nonce is not null)
        {
            return new(nonce);
        }

        var origin = DPoPOrigin.Of(requestUri);
        var now = _timeProvider.GetTimestamp();
        if (_lookedUp.TryGetValue(origin, out var last) && _timeProvider.GetElapsedTime(last, now) < LookupInterval)
        {
            return new((string?)null);
        }

        if (_lookedUp.Count >= MaxLookedUp)
        {
            _lookedUp.Clear();
        }

        _lookedUp[origin] = now;
        return LookUpAsync(requestUri, origin);
    }

    public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken)
    {
        var previous = _local.GetNonce(requestUri);
        _local.SetNonce(requestUri, nonce);
        if (!string.Equals(previous, nonce, StringComparison.Ordinal))
        {
            _shared.Set(Key(DPoPOrigin.Of(requestUri)), nonce, SharedLifetime, replace: false, LookupTimeout, LogName);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask<string?> LookUpAsync(Uri requestUri, DPoPOrigin origin)
    {
        var (answered, nonce) = await _shared.GetAsync(Key(origin), LookupTimeout, LogName).ConfigureAwait(false);
        if (!answered || nonce is null || !DPoPSyntax.IsNonce(nonce))
        {
            return null;
        }

        // Kept in memory unless a response stored a newer one meanwhile.
        if (_local.GetNonce(requestUri) is { } newer)
        {
            return newer;
        }

        _local.SetNonce(requestUri, nonce);
        return nonce;
    }

    private static string Key(DPoPOrigin origin) => $"{KeyPrefix}{origin.Scheme}://{origin.Host}:{origin.Port}";
}
