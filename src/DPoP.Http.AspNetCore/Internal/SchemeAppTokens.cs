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
/// the key the token is bound to. Tokens stay in process (no shared cache tier). Its spans carry <c>dpop.scheme</c>.
/// </summary>
internal static class SchemeAppTokens
{
    /// <summary>The token source of API client <paramref name="clientName"/>, requesting through <paramref name="tokenClientName"/>.</summary>
    public static DPoPTokenEntry Create(
        SchemeEndpoints endpoints,
        IHttpClientFactory httpClientFactory,
        string scheme,
        string tokenClientName,
        DPoPClientCredentialsTokenOptions settings,
        string clientName,
        Func<CancellationToken, ValueTask<DPoPKey>> keySource,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory)
    {
        // The renewal window for the engine; the endpoint and credentials come with each request.
        var engineOptions = new DPoPTokenClientOptions();
        settings.ApplyTo(engineOptions);
        var time = endpoints.TimeProvider(scheme);
        var engine = new DPoPTokenEngine(
            clientName, "client_credentials", tokenEndpoint: null, engineOptions, time,
            loggerFactory?.CreateLogger(DPoPTelemetryNames.TokensLogCategory) ?? (ILogger)NullLogger.Instance,
            DPoPTokenTelemetry.Create(clientName, null, loggerFactory, meterFactory, scheme), sharedCache: null);
        return new DPoPTokenEntry(engine, keySource, async _ =>
        {
            var tokenEndpoint = await endpoints.GetTokenEndpointAsync(scheme, CancellationToken.None).ConfigureAwait(false);
            engine.TokenEndpoint = tokenEndpoint;
            var options = endpoints.CreateTokenClientOptions(scheme, tokenEndpoint);
            settings.ApplyTo(options);
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
