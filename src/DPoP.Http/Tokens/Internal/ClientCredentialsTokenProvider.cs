using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The access token source that <c>AddClientCredentialsToken()</c> registers for a client: a token cached until
/// shortly before it expires, renewed by one request however many callers need it at once (single flight), and
/// dropped when a resource server rejects it (<c>invalid_token</c>) so the handler's one retry gets a new one.
/// </summary>
/// <remarks>
/// Inside the <see cref="DPoPTokenClientOptions.RefreshBeforeExpiry"/> window the cached token is still valid, so the
/// renewal runs in the background and every caller keeps using the cached token without waiting. When that early
/// renewal fails (an error status, a malformed answer, a network error, a timeout), the failure is logged and the
/// token stays in use; the next attempt waits 1 s, then 2, 4, 8, 16 and at most 30 s after each further failure,
/// and never later than the token's expiry. Only callers without a valid token (none yet, expired, or rejected by a
/// resource server) wait for a renewal and get its error.
/// <para>
/// With a <see cref="DPoPSharedTokenCache"/> (the app registered a HybridCache), a renewal first looks for a token
/// another instance stored under the same key (endpoint, client, scope, resources, audience and the thumbprint of this
/// client's DPoP key), waiting at most <see cref="DPoPTokenClientOptions.SharedCacheTimeout"/>, and stores the token it
/// fetches itself. The hot path never touches that cache: it stays a field read and a clock check.
/// </para>
/// <para>
/// Through <see cref="IDPoPClientAccessTokenCache"/>, code outside the HttpClient gets the same token, with the key it is
/// bound to (read once per renewal, kept with the token, so not the current key after a rotation), forces a renewal or drops it.
/// </para>
/// </remarks>
internal sealed class ClientCredentialsTokenProvider : IDPoPAccessTokenProvider, IDPoPClientAccessTokenCache
{
    private const string ClientCredentials = "client_credentials";

    private readonly string _clientName;
    private readonly Func<DPoPTokenClient> _createClient;
    private readonly Func<CancellationToken, ValueTask<DPoPKey>> _keySource;
    private readonly DPoPTokenClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ClientCredentialsSharedTokens? _shared;
    private readonly DPoPTokenTelemetry _telemetry;
    private readonly Lock _lock = new();
    private DPoPCachedToken? _current;
    private Task<DPoPCachedToken>? _renewal;
    private readonly EarlyRenewalBackoff _backoff = new(); // written under _lock

    private int _tokenRequests;
    private int _sharedCacheHits;

    public ClientCredentialsTokenProvider(
        string clientName,
        Func<DPoPTokenClient> createClient,
        Func<CancellationToken, ValueTask<DPoPKey>> keySource,
        DPoPTokenClientOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        DPoPSharedTokenCache? sharedCache = null,
        DPoPTokenTelemetry? telemetry = null)
    {
        _telemetry = telemetry ?? DPoPTokenTelemetry.Create(clientName, options.ClientId, null, null);
        _shared = sharedCache is not null && options.SharedCacheTimeout > TimeSpan.Zero
            ? new ClientCredentialsSharedTokens(sharedCache, keySource, options, timeProvider, logger, clientName)
            : null;
        _clientName = clientName;
        _createClient = createClient;
        _keySource = keySource;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>How many token requests this provider has sent (for diagnostics and tests).</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>How many renewals took a token from the shared cache instead of the token endpoint (for diagnostics and tests).</summary>
    public int SharedCacheHits => Volatile.Read(ref _sharedCacheHits);

    /// <summary>Whether tokens are shared through the app's HybridCache.</summary>
    internal bool UsesSharedCache => _shared is not null;

    /// <summary>Completes (never faults) when the renewal in flight, if any, has stored its token or its failure. For tests.</summary>
    internal Task WhenRenewalSettled
    {
        get
        {
            Task? renewal;
            lock (_lock)
            {
                renewal = _renewal;
            }

            return renewal is null ? Task.CompletedTask : renewal.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private LoggedOrigin Origin => new(_options.TokenEndpoint!);

    public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Cached() is { } token ? new ValueTask<string?>(DPoPTokenBinding.Use(token.Response, request)) : WaitForRenewalAsync(request, cancellationToken);

    async ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.GetAccessTokenAsync(CancellationToken cancellationToken) =>
        Cached() is { } token ? token.ClientToken : (await WaitForRenewalAsync(GetOrStartRenewal, cancellationToken).ConfigureAwait(false)).ClientToken;

    async ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.RenewAccessTokenAsync(CancellationToken cancellationToken)
    {
        Task<DPoPCachedToken> renewal;
        lock (_lock)
        {
            // The renewal in flight, if any, is shared; one still to look in the shared cache asks the token endpoint.
            _shared?.OnForcedRenewal(_current?.Response.AccessToken);
            renewal = _renewal ??= StartRenewal();
        }

        DPoPTokenLog.RenewalForced(_logger, _clientName);
        return (await WaitForRenewalAsync(() => renewal, cancellationToken).ConfigureAwait(false)).ClientToken;
    }

    async ValueTask IDPoPClientAccessTokenCache.RemoveAccessTokenAsync(CancellationToken cancellationToken)
    {
        string? removed;
        lock (_lock)
        {
            removed = _current?.Response.AccessToken;
            _current = null;
        }

        DPoPTokenLog.TokenRemoved(_logger, _clientName, _shared is not null);
        if (_shared is not null)
        {
            await _shared.RemoveAsync(removed, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        var dropped = false;
        lock (_lock)
        {
            if (_current is not null && string.Equals(_current.Response.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _current = null;
                _shared?.OnRejected(rejectedAccessToken);
                dropped = true;
            }
        }

        if (dropped)
        {
            DPoPTokenLog.TokenDropped(_logger, _clientName);
        }

        return ValueTask.FromResult(true);
    }

    /// <summary>
    /// The hot path: the cached token while it is valid (field read and clock check, no lock, no allocation), renewed in
    /// the background inside the renewal window; null when callers must wait for a renewal.
    /// </summary>
    private DPoPCachedToken? Cached()
    {
        var token = Volatile.Read(ref _current);
        if (token is not null)
        {
            var now = _timeProvider.GetUtcNow();
            if (now < token.RenewAt)
            {
                _telemetry.ServedFromCache(ClientCredentials, _options.TokenEndpoint!);
                return token;
            }

            if (now < token.ExpiresAt)
            {
                RenewInBackground(token, now);
                _telemetry.ServedFromCache(ClientCredentials, _options.TokenEndpoint!);
                return token;
            }
        }

        return null;
    }

    /// <summary>Waits for a renewal (a memory cache miss), traced as an acquisition; a caller that gives up stops waiting, the renewal goes on.</summary>
    private ValueTask<DPoPCachedToken> WaitForRenewalAsync(Func<Task<DPoPCachedToken>> renewal, CancellationToken cancellationToken) =>
        _telemetry.AcquireAsync(ClientCredentials, _options.TokenEndpoint!, renewal, cancellationToken);

    private async ValueTask<string?> WaitForRenewalAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        DPoPTokenBinding.Use((await WaitForRenewalAsync(GetOrStartRenewal, cancellationToken).ConfigureAwait(false)).Response, request);

    /// <summary>A valid token, or the renewal everyone without one waits for.</summary>
    private Task<DPoPCachedToken> GetOrStartRenewal()
    {
        lock (_lock)
        {
            if (_current is { } current && _timeProvider.GetUtcNow() < current.ExpiresAt)
            {
                return Task.FromResult(current);
            }

            return _renewal ??= StartRenewal();
        }
    }

    /// <summary>Starts a renewal nobody waits for, unless one is running, the back-off holds, or the token was replaced.</summary>
    private void RenewInBackground(DPoPCachedToken token, DateTimeOffset now)
    {
        if (Volatile.Read(ref _renewal) is not null || !_backoff.Allows(now))
        {
            return;
        }

        lock (_lock)
        {
            if (_renewal is null && _backoff.Allows(now) && ReferenceEquals(_current, token))
            {
                _renewal = StartRenewal();
            }
        }
    }

    /// <summary>Starts the one renewal in flight; call under <see cref="_lock"/>.</summary>
    private Task<DPoPCachedToken> StartRenewal()
    {
        var renewal = RenewAsync();

        // A background renewal may have no one awaiting it: observe its failure (already logged) here.
        _ = renewal.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return renewal;
    }

    private async Task<DPoPCachedToken> RenewAsync()
    {
        try
        {
            await Task.Yield(); // leave the lock, and the caller that started a background renewal, before the request starts

            // The key the token will be bound to, read once: the handler signs the token request with the same key, and a
            // shared entry is looked up (and stored) under its thumbprint.
            var key = await _keySource(CancellationToken.None).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"DPoP client '{_clientName}': the key provider returned null instead of a key.");
            var (shared, sharedKey) = _shared is null ? default : await _shared.LookUpAsync(key).ConfigureAwait(false);
            if (_shared is not null)
            {
                _telemetry.CacheLookup(ClientCredentials, "shared", shared is not null);
            }

            if (shared is not null)
            {
                Interlocked.Increment(ref _sharedCacheHits);
                return OnRenewed(shared.Response, key, shared.RenewAt, fromSharedCache: true);
            }

            Interlocked.Increment(ref _tokenRequests);

            // A client per renewal: IHttpClientFactory's handler rotation (DNS changes) applies to the token endpoint too.
            // Never cancelled by a caller: the renewal is shared (HttpClient.Timeout still bounds it).
            var response = await _createClient().RequestClientCredentialsTokenAsync(CancellationToken.None).ConfigureAwait(false);
            var token = OnRenewed(response, key);
            if (sharedKey is { } stored)
            {
                _shared!.Share(stored, token.Response, token.RenewAt);
            }

            return token;
        }
        catch (Exception ex)
        {
            OnRenewalFailed(ex); // the key provider or the token request
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _renewal = null;
                _shared?.OnRenewalEnded();
            }
        }
    }

    private DPoPCachedToken OnRenewed(DPoPTokenResponse response, DPoPKey key, DateTimeOffset? renewAt = null, bool fromSharedCache = false)
    {
        var now = _timeProvider.GetUtcNow();
        var lifetime = response.ExpiresAt - now;
        var token = new DPoPCachedToken(response, renewAt ?? DPoPCachedToken.RenewalTime(response.ExpiresAt, now, _options.RefreshBeforeExpiry), key);
        int failures;
        lock (_lock)
        {
            _current = token;
            failures = _backoff.Reset();
        }

        DPoPTokenLog.Renewed(_logger, _clientName, Origin, response.IsDPoPBound, lifetime, token.RenewAt - now, fromSharedCache, failures);
        return token;
    }

    private void OnRenewalFailed(Exception exception)
    {
        var now = _timeProvider.GetUtcNow();
        DPoPCachedToken? valid;
        TimeSpan delay;
        lock (_lock)
        {
            valid = _current is { } current && now < current.ExpiresAt ? current : null;
            delay = _backoff.OnFailure(now, valid?.ExpiresAt);
        }

        DPoPTokenLog.RenewalFailed(_logger, _clientName, Origin, exception, valid is null ? null : valid.ExpiresAt - now, delay);
    }
}
