using System.Diagnostics.Metrics;
using DPoP.Http;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The token endpoint client's part of the builder extensions: the app's access to that HttpClient.</summary>
public static partial class DPoPHttpClientBuilderExtensions
{
    /// <summary>
    /// Configures the HttpClient through which this client's tokens are requested (<c>AddDPoPClientCredentialsToken()</c>,
    /// <c>AddDPoPTokenExchange()</c>): <paramref name="configure"/> receives that client's own
    /// <see cref="IHttpClientBuilder"/>, for a primary handler with a client certificate (mutual TLS, RFC 8705), a
    /// proxy, a resilience handler, a timeout. Its DPoP handler is always the innermost handler, whatever the order of
    /// the calls, so a retry handler added here gives every attempt a fresh proof; and the primary handler's automatic
    /// redirects are turned off when the pipeline is built, a replaced primary handler included. Can be called before
    /// or after the token registration, and more than once.
    /// </summary>
    /// <param name="builder">The HttpClient builder of the API client (the one that calls <c>AddDPoPClientCredentialsToken()</c>).</param>
    /// <param name="configure">Configures the token endpoint client's builder; called once, now.</param>
    /// <returns>The API client's builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <example>
    /// <code>
    /// services.AddHttpClient&lt;OrdersApi&gt;().AddDPoP()
    ///     .AddDPoPClientCredentialsToken(o => { …; o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth; })
    ///     .ConfigureDPoPTokenEndpointClient(token => token
    ///         .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = { ClientCertificates = [certificate] } })
    ///         .AddStandardResilienceHandler());
    /// </code>
    /// </example>
    public static IHttpClientBuilder ConfigureDPoPTokenEndpointClient(this IHttpClientBuilder builder, Action<IHttpClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var tokenClientName = builder.Services.AddDPoPTokenEndpointClient(builder.Name);
        configure(builder.Services.AddHttpClient(tokenClientName));
        return builder;
    }

    /// <summary>
    /// Registers the token endpoint client of <paramref name="apiClientName"/> (once, whichever registration comes
    /// first): the API client's key and DPoP settings, its own nonces, no access token; its DPoP handler is added
    /// innermost by the pipeline filter when the pipeline is built, after everything the app configured.
    /// </summary>
    /// <returns>The token endpoint client's name.</returns>
    internal static string AddDPoPTokenEndpointClient(this IServiceCollection services, string apiClientName)
    {
        var tokenClientName = services.AddDPoPCore().AddTokenEndpointClient(apiClientName);
        services.AddHttpClient(tokenClientName);
        return tokenClientName;
    }

    /// <summary>
    /// A token client for one renewal of <paramref name="apiClientName"/>'s tokens (a new HttpClient each time, so
    /// IHttpClientFactory's handler rotation applies), reporting under the API client's name; <paramref name="onTokenRequest"/>
    /// is a token partition's hook (null: the client's own).
    /// </summary>
    private static DPoPTokenClient CreateTokenClient(
        IServiceProvider services, string apiClientName, string tokenClientName, DPoPTokenClientOptions options, TimeProvider time,
        Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? onTokenRequest = null) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(tokenClientName), options, time, onTokenRequest: onTokenRequest)
        {
            Name = apiClientName,
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };

    /// <summary>
    /// The app's HybridCache as a token engine's shared tier, when the app registered one (with Redis or another L2
    /// behind it): tokens are then shared across instances under keys that include the DPoP key's thumbprint.
    /// </summary>
    private static DPoPSharedTokenCache? SharedTokenCache(IServiceProvider services) =>
        services.GetService<HybridCache>() is not null ? services.GetRequiredService<DPoPSharedTokenCache>() : null;

    /// <summary>The spans, token metrics and logs of <paramref name="apiClientName"/>'s token source.</summary>
    private static DPoPTokenTelemetry TokenTelemetry(IServiceProvider services, string apiClientName, DPoPTokenClientOptions options) =>
        DPoPTokenTelemetry.Create(apiClientName, options.ClientId, services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>());
}
