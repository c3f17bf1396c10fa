using System.Diagnostics.Metrics;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// App tokens for <c>AddDPoPClientCredentialsToken(openIdConnectScheme)</c>: the client credentials grant at the
/// scheme's token endpoint (from its discovery document) with its client id and secret, through a token client that
/// signs with the API client's key. The token source is an entry of the core's token engine, as for
/// <c>AddDPoPClientCredentialsToken()</c>: cached until shortly before expiry, one request however many callers wait,
/// renewed in the background inside the renewal window while the cached token stays in use (back-off after failures),
/// dropped when the API answers <c>invalid_token</c>, served by name through <see cref="IDPoPClientAccessTokens"/> with
/// the key the token is bound to. Tokens stay in process (no shared cache tier).
/// </summary>
internal static class SchemeAppTokens
{
    /// <summary>The token source of API client <paramref name="clientName"/>, requesting through <paramref name="tokenClientName"/>.</summary>
    public static DPoPTokenEntry Create(
        SchemeEndpoints endpoints,
        IHttpClientFactory httpClientFactory,
        string scheme,
        string tokenClientName,
        Action<DPoPTokenClientOptions>? configure,
        string clientName,
        Func<CancellationToken, ValueTask<DPoPKey>> keySource,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory)
    {
        // What configure sets for renewal (RefreshBeforeExpiry); the endpoint and credentials come with each request.
        var settings = new DPoPTokenClientOptions();
        configure?.Invoke(settings);
        var time = endpoints.TimeProvider(scheme);
        var engine = new DPoPTokenEngine(
            clientName, "client_credentials", tokenEndpoint: null, settings, time,
            loggerFactory?.CreateLogger(DPoPTelemetryNames.TokensLogCategory) ?? (ILogger)NullLogger.Instance,
            DPoPTokenTelemetry.Create(clientName, null, loggerFactory, meterFactory), sharedCache: null);
        return new DPoPTokenEntry(engine, keySource, async _ =>
        {
            var tokenEndpoint = await endpoints.GetTokenEndpointAsync(scheme, CancellationToken.None).ConfigureAwait(false);
            engine.TokenEndpoint = tokenEndpoint;
            var options = endpoints.CreateTokenClientOptions(scheme, tokenEndpoint);
            configure?.Invoke(options);
            var client = new DPoPTokenClient(httpClientFactory.CreateClient(tokenClientName), options, time)
            {
                Name = clientName,
                LoggerFactory = loggerFactory,
                MeterFactory = meterFactory,
            };
            return await client.RequestClientCredentialsTokenAsync(CancellationToken.None).ConfigureAwait(false);
        }, sharedKey: null);
    }
}
