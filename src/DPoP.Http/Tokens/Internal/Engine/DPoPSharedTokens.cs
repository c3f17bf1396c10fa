using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// One token engine entry's view of the shared cache (HybridCache): finds a usable token another instance (or this
/// one) stored under the entry's key — everything that makes its token differ (endpoint, client, grant, what is asked
/// for, partition) and the DPoP key's thumbprint, see <see cref="DPoPTokenCacheKey"/> — and stores the tokens this
/// instance fetches for the others.
/// </summary>
internal sealed class DPoPSharedTokens(
    DPoPSharedTokenCache sharedCache,
    Func<CancellationToken, ValueTask<DPoPKey>> keySource,
    Func<string, string> cacheKeyOf,
    DPoPTokenClientOptions options,
    TimeProvider timeProvider,
    ILogger logger,
    string clientName)
{
    private readonly Func<string, string> _cacheKeyOf = cacheKeyOf;
    private readonly DPoPSharedTokenCache _sharedCache = sharedCache;
    private readonly Func<CancellationToken, ValueTask<DPoPKey>> _keySource = keySource;
    private readonly DPoPTokenClientOptions _options = options;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly ILogger _logger = logger;
    private readonly string _clientName = clientName;
    private KeyName? _keyName; // replaced whole (a reference), so a reader never sees one key's thumbprint with another's cache key

    // The last token of this instance's that a resource server rejected, a forced renewal replaced or a removal dropped:
    // an entry still holding it is not taken again. While a forced renewal is in flight, a renewal looks nothing up (the
    // entry may be the token it replaces) and only stores its token; an answer to a lookup begun before a forced renewal
    // or a removal is not used. Under _lock.
    private readonly Lock _lock = new();
    private string? _replacedToken;
    private bool _forced;
    private int _replacements;

    /// <summary>A resource server rejected <paramref name="token"/>: no entry holding it is taken again.</summary>
    public void OnRejected(string token)
    {
        lock (_lock)
        {
            _replacedToken = token;
        }
    }

    /// <summary>
    /// A forced renewal replaces <paramref name="replaced"/> (null: no token cached): until the renewal in flight ends
    /// (<see cref="OnRenewalEnded"/>), it takes nothing from the cache. Call under the provider's lock, with the start
    /// or join of that renewal.
    /// </summary>
    public void OnForcedRenewal(string? replaced)
    {
        lock (_lock)
        {
            _replacedToken = replaced ?? _replacedToken;
            _forced = true;
            _replacements++;
        }
    }

    /// <summary>The renewal in flight ended; call under the provider's lock, where it clears its renewal.</summary>
    public void OnRenewalEnded()
    {
        lock (_lock)
        {
            _forced = false;
        }
    }

    /// <summary>
    /// A usable token another instance (or this one) stored in the shared cache under the thumbprint of
    /// <paramref name="key"/> (so bound to it), with when to renew it here; and where to store a token fetched with that key.
    /// </summary>
    public async ValueTask<(SharedToken? Token, SharedKey StoreAt)> LookUpAsync(DPoPKey key)
    {
        var (thumbprint, cacheKey) = CacheKey(key.JwkThumbprint);
        string? rejected;
        int replacements;
        lock (_lock)
        {
            if (_forced)
            {
                return (null, new SharedKey(cacheKey, thumbprint, Replace: false));
            }

            (rejected, replacements) = (_replacedToken, _replacements);
        }

        var (answered, text) = await _sharedCache.GetAsync(cacheKey, _options.SharedCacheTimeout, _clientName).ConfigureAwait(false);
        var storeAt = new SharedKey(cacheKey, thumbprint, Replace: answered);
        if (text is null)
        {
            return (null, storeAt);
        }

        if (!DPoPTokenCacheEntry.TryParse(text, out var entry) || !string.Equals(entry!.JwkThumbprint, thumbprint, StringComparison.Ordinal))
        {
            // Corrupt, foreign or another version: removed and replaced by the token this renewal fetches.
            DPoPTokenLog.SharedCacheEntryUnreadable(_logger, _clientName);
            return (null, storeAt);
        }

        var now = _timeProvider.GetUtcNow();

        if (now >= entry.RenewAt
            || string.Equals(entry.AccessToken, rejected, StringComparison.Ordinal)
            || (!string.Equals(entry.TokenType, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase) && !_options.AllowBearerTokens))
        {
            return (null, storeAt); // due (clocks differ), rejected here already, or a Bearer token this client does not accept
        }

        // Renew a little after the instance that stored the token (which renews at entry.RenewAt and stores the next
        // one): by then the next token is usually in the cache, so a fleet makes about one token request per renewal.
        lock (_lock)
        {
            if (_replacements != replacements || string.Equals(entry.AccessToken, _replacedToken, StringComparison.Ordinal))
            {
                return (null, storeAt); // a forced renewal or a removal came while the cache answered
            }
        }

        var follow = TimeSpan.FromTicks(Math.Min(FollowerDelay.Ticks, (entry.ExpiresAt - entry.RenewAt).Ticks / 4));
        var response = new DPoPTokenResponse(entry.AccessToken, entry.TokenType, entry.ExpiresAt, entry.ExpiresAt - now, refreshToken: null, entry.Scope);
        return (new SharedToken(response, entry.RenewAt + follow), storeAt);
    }

    /// <summary>
    /// Removes this client's entry, so no instance takes its token again; a failing cache is logged, not thrown. This
    /// instance never takes <paramref name="removed"/> back, nor what a lookup already under way finds.
    /// </summary>
    public async ValueTask RemoveAsync(string? removed, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _replacedToken = removed ?? _replacedToken;
            _replacements++;
        }

        string thumbprint;
        try
        {
            thumbprint = (await _keySource(CancellationToken.None).ConfigureAwait(false)).JwkThumbprint;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return; // no key, no entry of it to remove (a renewal, which needs the key too, reports the problem)
        }

        await _sharedCache.RemoveAsync(CacheKey(thumbprint).CacheKey, _options.SharedCacheTimeout, _clientName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores a fetched token for the other instances, until this instance renews it; in the background.</summary>
    public void Share(SharedKey key, DPoPTokenResponse response, DateTimeOffset renewAt)
    {
        var entry = new DPoPTokenCacheEntry(response.AccessToken, response.TokenType, response.ExpiresAt, renewAt, response.Scope, key.Thumbprint);
        _sharedCache.Set(key.CacheKey, entry.Serialize(), renewAt - _timeProvider.GetUtcNow(), key.Replace, _options.SharedCacheTimeout, _clientName);
    }

    /// <summary>The cache key of the entry of tokens bound to the key of <paramref name="thumbprint"/>.</summary>
    private KeyName CacheKey(string thumbprint)
    {
        // Keys rarely change: the hash is computed again only for another thumbprint.
        if (Volatile.Read(ref _keyName) is { } known && string.Equals(known.Thumbprint, thumbprint, StringComparison.Ordinal))
        {
            return known;
        }

        var computed = new KeyName(thumbprint, _cacheKeyOf(thumbprint));
        Volatile.Write(ref _keyName, computed);
        return computed;
    }

    /// <summary>How much later than the instance that stored it an instance renews a token it took from the shared cache (at most a quarter of the renewal window).</summary>
    internal static readonly TimeSpan FollowerDelay = TimeSpan.FromSeconds(5);

    /// <summary>Where to store a fetched token; <c>Replace</c>: the cache answered with nothing usable, so clear the key first.</summary>
    internal sealed record SharedKey(string CacheKey, string Thumbprint, bool Replace);

    internal sealed record SharedToken(DPoPTokenResponse Response, DateTimeOffset RenewAt);

    private sealed record KeyName(string Thumbprint, string CacheKey);
}
