using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// App tokens for <c>AddClientCredentialsToken(openIdConnectScheme)</c>: the client credentials grant at the
/// scheme's token endpoint (from its discovery document) with its client id and secret, through a token client that
/// signs with the API client's key. Cached until shortly before expiry; one request however many callers wait;
/// dropped when the API answers <c>invalid_token</c>. Served by name through <see cref="IDPoPClientAccessTokens"/>
/// (<see cref="IDPoPClientAccessTokenCache"/>) with the key the token is bound to (read before its token request, which
/// signs with the same key): a forced renewal joins the request in flight or starts one, a removal drops the cached
/// token (there is no shared cache here).
/// </summary>
internal sealed class SchemeClientCredentialsTokenProvider(
    SchemeEndpoints endpoints,
    IHttpClientFactory httpClientFactory,
    string scheme,
    string tokenClientName,
    Action<DPoPTokenClientOptions>? configure,
    string clientName,
    Func<CancellationToken, ValueTask<DPoPKey>> keySource,
    ILoggerFactory? loggerFactory,
    IMeterFactory? meterFactory) : IDPoPAccessTokenProvider, IDPoPClientAccessTokenCache
{
    private readonly Lock _lock = new();
    private DPoPCachedToken? _current;
    private Task<DPoPCachedToken>? _renewal;

    public async ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Bind(request, (await GetTokenAsync(forceRenewal: false, cancellationToken).ConfigureAwait(false)).Response);

    async ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.GetAccessTokenAsync(CancellationToken cancellationToken) =>
        (await GetTokenAsync(forceRenewal: false, cancellationToken).ConfigureAwait(false)).ClientToken;

    async ValueTask<DPoPClientAccessToken> IDPoPClientAccessTokenCache.RenewAccessTokenAsync(CancellationToken cancellationToken) =>
        (await GetTokenAsync(forceRenewal: true, cancellationToken).ConfigureAwait(false)).ClientToken;

    ValueTask IDPoPClientAccessTokenCache.RemoveAccessTokenAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _current = null;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_current is { } current && string.Equals(current.Response.AccessToken, rejectedAccessToken, StringComparison.Ordinal))
            {
                _current = null;
            }
        }

        return ValueTask.FromResult(true);
    }

    private static string? Bind(HttpRequestMessage request, DPoPTokenResponse response)
    {
        if (response.IsDPoPBound)
        {
            return response.AccessToken;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", response.AccessToken);
        return null;
    }

    /// <summary>The cached token while it is due for no renewal (unless <paramref name="forceRenewal"/>), else the one renewal everyone waits for.</summary>
    /// <remarks>Traced as <c>dpop.token.acquire</c>, current while a renewal starts so its token request is the span's child.</remarks>
    private async ValueTask<DPoPCachedToken> GetTokenAsync(bool forceRenewal, CancellationToken cancellationToken)
    {
        var activity = DPoPWebActivities.StartTokenAcquire(clientName, scheme, "client_credentials");
        try
        {
            Task<DPoPCachedToken> pending;
            lock (_lock)
            {
                if (!forceRenewal && _current is { } current && endpoints.TimeProvider(scheme).GetUtcNow() < current.RenewAt)
                {
                    DPoPWebActivities.Acquired(activity, cacheHit: true);
                    return current;
                }

                // One request for everyone waiting; a caller that gives up does not cancel it for the others.
                pending = _renewal ??= RenewAsync();
            }

            var token = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            DPoPWebActivities.Acquired(activity, cacheHit: false);
            return token;
        }
        catch (Exception ex)
        {
            DPoPWebActivities.Failed(activity, ex);
            throw;
        }
    }

    private async Task<DPoPCachedToken> RenewAsync()
    {
        try
        {
            await Task.Yield(); // leave the lock before any I/O
            var tokenEndpoint = await endpoints.GetTokenEndpointAsync(scheme, CancellationToken.None).ConfigureAwait(false);
            var options = endpoints.CreateTokenClientOptions(scheme, tokenEndpoint);
            configure?.Invoke(options);
            var time = endpoints.TimeProvider(scheme);
            var client = new DPoPTokenClient(httpClientFactory.CreateClient(tokenClientName), options, time)
            {
                Name = clientName,
                LoggerFactory = loggerFactory,
                MeterFactory = meterFactory,
            };

            // The key the token will be bound to: the token client's handler signs its proof with this same key.
            var key = await keySource(CancellationToken.None).ConfigureAwait(false);
            var response = await client.RequestClientCredentialsTokenAsync(CancellationToken.None).ConfigureAwait(false);
            var token = new DPoPCachedToken(response, DPoPCachedToken.RenewalTime(response.ExpiresAt, time.GetUtcNow(), options.RefreshBeforeExpiry), key);
            lock (_lock)
            {
                _current = token;
            }

            return token;
        }
        finally
        {
            lock (_lock)
            {
                _renewal = null;
            }
        }
    }
}
