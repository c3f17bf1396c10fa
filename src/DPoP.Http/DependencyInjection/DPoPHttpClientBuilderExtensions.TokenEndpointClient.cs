using System.Diagnostics.Metrics;
using DPoP.Http;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The token endpoint client's part of the builder extensions: the app's access to that HttpClient.</summary>
public static partial class DPoPHttpClientBuilderExtensions
{
    /// <summary>
    /// Configures the HttpClient through which this client's tokens are requested (<c>AddClientCredentialsToken()</c>,
    /// <c>AddTokenExchangeToken()</c>): <paramref name="configure"/> receives that client's own
    /// <see cref="IHttpClientBuilder"/>, for a primary handler with a client certificate (mutual TLS, RFC 8705), a
    /// proxy, a resilience handler, a timeout. Its DPoP handler is always the innermost handler, whatever the order of
    /// the calls, so a retry handler added here gives every attempt a fresh proof; and the primary handler's automatic
    /// redirects are turned off when the pipeline is built, a replaced primary handler included. Can be called before
    /// or after the token registration, and more than once.
    /// </summary>
    /// <param name="builder">The HttpClient builder of the API client (the one that calls <c>AddClientCredentialsToken()</c>).</param>
    /// <param name="configure">Configures the token endpoint client's builder; called once, now.</param>
    /// <returns>The API client's builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is null.</exception>
    /// <example>
    /// <code>
    /// services.AddHttpClient&lt;OrdersApi&gt;().AddDPoP()
    ///     .AddClientCredentialsToken(o => { …; o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth; })
    ///     .ConfigureTokenEndpointClient(token => token
    ///         .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = { ClientCertificates = [certificate] } })
    ///         .AddStandardResilienceHandler());
    /// </code>
    /// </example>
    public static IHttpClientBuilder ConfigureTokenEndpointClient(this IHttpClientBuilder builder, Action<IHttpClientBuilder> configure)
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
    /// IHttpClientFactory's handler rotation applies), reporting under the API client's name.
    /// </summary>
    private static DPoPTokenClient CreateTokenClient(IServiceProvider services, string apiClientName, string tokenClientName, DPoPTokenClientOptions options, TimeProvider time) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(tokenClientName), options, time)
        {
            Name = apiClientName,
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };

    /// <summary>The spans, token metrics and logs of <paramref name="apiClientName"/>'s token source.</summary>
    private static DPoPTokenTelemetry TokenTelemetry(IServiceProvider services, string apiClientName, DPoPTokenClientOptions options) =>
        DPoPTokenTelemetry.Create(apiClientName, options.ClientId, services.GetService<ILoggerFactory>(), services.GetService<IMeterFactory>());
}
