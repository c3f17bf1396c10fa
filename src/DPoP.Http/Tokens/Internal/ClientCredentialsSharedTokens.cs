using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// A client-credentials provider's view of the shared cache (HybridCache): finds a usable token another instance (or
/// this one) stored under this client's key — endpoint, client, scope, resources, audience and the DPoP key's
/// thumbprint — and stores the tokens this instance fetches for the others.
/// </summary>
internal sealed class ClientCredentialsSharedTokens(
    DPoPSharedTokenCache sharedCache,
    Func<CancellationToken, ValueTask<DPoPKey>> keySource,
    DPoPTokenClientOptions options,
    TimeProvider timeProvider,
    ILogger logger,
    string clientName)
{
    private readonly DPoPSharedTokenCache _sharedCache = sharedCache;
    private readonly Func<CancellationToken, ValueTask<DPoPKey>> _keySource = keySource;
    private readonly DPoPTokenClientOptions _options = options;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly ILogger _logger = logger;
    private readonly string _clientName = clientName;
    private (string Thumbprint, string CacheKey)? _sharedKey;

    /// <summary>
    /// A usable token another instance (or this one) stored in the shared cache, with when to renew it here; and the
    /// key and thumbprint to store a fetched token under (null without a shared cache or a key).
    /// </summary>
    public async ValueTask<(SharedToken? Token, SharedKey? Key)> LookUpAsync(string? rejected)
    {
        string thumbprint;
        try
        {
            thumbprint = (await _keySource(CancellationToken.None).ConfigureAwait(false)).JwkThumbprint;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return default; // the token request, which needs the same key, reports the problem
        }

        var cacheKey = _sharedKey is { } known && string.Equals(known.Thumbprint, thumbprint, StringComparison.Ordinal)
            ? known.CacheKey
            : (_sharedKey = (thumbprint, DPoPTokenCacheKey.ClientCredentials(_options, thumbprint))).Value.CacheKey;
        var (answered, text) = await _sharedCache.GetAsync(cacheKey, _options.SharedCacheTimeout, _clientName).ConfigureAwait(false);
        var key = new SharedKey(cacheKey, thumbprint, Replace: answered);
        if (text is null)
        {
            return (null, key);
        }

        if (!DPoPTokenCacheEntry.TryParse(text, out var entry) || !string.Equals(entry!.JwkThumbprint, thumbprint, StringComparison.Ordinal))
        {
            // Corrupt, foreign or another version: removed and replaced by the token this renewal fetches.
            DPoPTokenLog.SharedCacheEntryUnreadable(_logger, _clientName);
            return (null, key);
        }

        var now = _timeProvider.GetUtcNow();

        if (now >= entry.RenewAt
            || string.Equals(entry.AccessToken, rejected, StringComparison.Ordinal)
            || (!string.Equals(entry.TokenType, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase) && !_options.AllowBearerTokens))
        {
            return (null, key); // due (clocks differ), rejected here already, or a Bearer token this client does not accept
        }

        // Renew a little after the instance that stored the token (which renews at entry.RenewAt and stores the next
        // one): by then the next token is usually in the cache, so a fleet makes about one token request per renewal.
        var follow = TimeSpan.FromTicks(Math.Min(FollowerDelay.Ticks, (entry.ExpiresAt - entry.RenewAt).Ticks / 4));
        var response = new DPoPTokenResponse(entry.AccessToken, entry.TokenType, entry.ExpiresAt, entry.ExpiresAt - now, refreshToken: null, entry.Scope);
        return (new SharedToken(response, entry.RenewAt + follow), key);
    }

    /// <summary>Stores a fetched token for the other instances, until this instance renews it; in the background.</summary>
    public void Share(SharedKey key, DPoPTokenResponse response, DateTimeOffset renewAt)
    {
        var entry = new DPoPTokenCacheEntry(response.AccessToken, response.TokenType, response.ExpiresAt, renewAt, response.Scope, key.Thumbprint);
        _sharedCache.Set(key.CacheKey, entry.Serialize(), renewAt - _timeProvider.GetUtcNow(), key.Replace, _options.SharedCacheTimeout, _clientName);
    }

    /// <summary>How much later than the instance that stored it an instance renews a token it took from the shared cache (at most a quarter of the renewal window).</summary>
    internal static readonly TimeSpan FollowerDelay = TimeSpan.FromSeconds(5);

    /// <summary>Where to store a fetched token; <c>Replace</c>: the cache answered with nothing usable, so clear the key first.</summary>
    internal sealed record SharedKey(string CacheKey, string Thumbprint, bool Replace);

    internal sealed record SharedToken(DPoPTokenResponse Response, DateTimeOffset RenewAt);
}
