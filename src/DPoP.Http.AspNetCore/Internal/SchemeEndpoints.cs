using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The token and revocation endpoints of an OpenID Connect scheme, from its configuration (discovery, cached by
/// the scheme's own ConfigurationManager), and a <see cref="DPoPTokenClient"/> that uses the scheme's client id
/// and secret and signs with one session's key.
/// </summary>
internal sealed class SchemeEndpoints(
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IOptionsMonitor<DPoPOpenIdConnectOptions> dpopOptions,
    IHttpClientFactory httpClientFactory,
    IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, string> _unusableRevocationEndpoints = new(StringComparer.Ordinal);
    private readonly Lazy<ILogger> _logger = new(() =>
        (services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(DPoPTelemetryNames.WebLogCategory));

    public static string TokenClientName(string scheme) => $"DPoP.Http.AspNetCore.{scheme}";

    public TimeProvider TimeProvider(string scheme) =>
        dpopOptions.Get(scheme).TimeProvider ?? services.GetService<TimeProvider>() ?? System.TimeProvider.System;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string scheme, CancellationToken cancellationToken)
    {
        var options = oidcOptions.Get(scheme);
        if (options.Configuration is { } configuration)
        {
            return configuration;
        }

        return options.ConfigurationManager is { } manager
            ? await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false)
            : throw new InvalidOperationException($"OpenID Connect scheme '{scheme}' has neither Configuration nor ConfigurationManager.");
    }

    /// <summary>The client's options for <paramref name="tokenEndpoint"/>, from the scheme's client id and secret.</summary>
    public DPoPTokenClientOptions CreateTokenClientOptions(string scheme, Uri tokenEndpoint)
    {
        var oidc = oidcOptions.Get(scheme);
        var dpop = dpopOptions.Get(scheme);
        return new DPoPTokenClientOptions
        {
            TokenEndpoint = tokenEndpoint,
            ClientId = oidc.ClientId,
            ClientSecret = oidc.ClientSecret,
            ClientAuthentication = ClientAuthentication(oidc, dpop),
            ClientAssertionKey = dpop.ClientAssertionKey,
            ClientAssertionKeyPath = dpop.ClientAssertionKeyPath,
            ClientAssertionKeyId = dpop.ClientAssertionKeyId,
            AllowBearerTokens = dpop.AllowBearerTokens,
        };
    }

    /// <summary>
    /// A token client of the scheme for one session, signing every request with the session's <paramref name="key"/>
    /// (through the scheme's token endpoint client) and reporting under the scheme (<c>dpop.scheme</c>, no <c>dpop.client</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The provider's configuration has no usable <c>token_endpoint</c>.</exception>
    public async Task<DPoPTokenClient> CreateTokenClientAsync(string scheme, DPoPKey key, CancellationToken cancellationToken)
    {
        var configuration = await GetConfigurationAsync(scheme, cancellationToken).ConfigureAwait(false);
        var options = CreateTokenClientOptions(scheme, TokenEndpoint(scheme, configuration));
        options.RevocationEndpoint = RevocationEndpoint(scheme, configuration);
        return new DPoPTokenClient(httpClientFactory.CreateClient(TokenClientName(scheme)), options, TimeProvider(scheme))
        {
            Scheme = scheme,
            RequestKey = key,
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };
    }

    /// <summary>The token endpoint from the scheme's configuration (discovery).</summary>
    /// <exception cref="InvalidOperationException">The provider's configuration has no usable <c>token_endpoint</c>.</exception>
    public async Task<Uri> GetTokenEndpointAsync(string scheme, CancellationToken cancellationToken) =>
        TokenEndpoint(scheme, await GetConfigurationAsync(scheme, cancellationToken).ConfigureAwait(false));

    /// <summary>The RFC 7009 revocation endpoint from discovery, or null when the provider has none or an unusable one.</summary>
    public async Task<Uri?> GetRevocationEndpointAsync(string scheme, CancellationToken cancellationToken) =>
        RevocationEndpoint(scheme, await GetConfigurationAsync(scheme, cancellationToken).ConfigureAwait(false));

    private static Uri TokenEndpoint(string scheme, OpenIdConnectConfiguration configuration) =>
        DiscoveredEndpoint.TryRead(configuration.TokenEndpoint)
            ?? throw new InvalidOperationException($"OpenID Connect scheme '{scheme}': the provider's configuration has no usable token_endpoint (it must be an absolute http or https URI without user information).");

    /// <summary>
    /// Revocation is optional (RFC 7009, RFC 8414 §2): a value that is not an absolute http(s) URI — a relative
    /// <c>/revoke</c>, which .NET on Linux would read as <c>file:///revoke</c>, another scheme, user information — means
    /// "no revocation", said once per value in a warning, never a failed sign-in, refresh or sign-out.
    /// </summary>
    private Uri? RevocationEndpoint(string scheme, OpenIdConnectConfiguration configuration)
    {
        var value = configuration.RevocationEndpoint;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DiscoveredEndpoint.TryRead(value) is { } endpoint)
        {
            return endpoint;
        }

        if (!string.Equals(_unusableRevocationEndpoints.GetValueOrDefault(scheme), value, StringComparison.Ordinal))
        {
            _unusableRevocationEndpoints[scheme] = value;
            DPoPWebLog.UnusableRevocationEndpoint(_logger.Value, scheme);
        }

        return null;
    }

    public static DPoPClientAuthenticationMethod ClientAuthentication(OpenIdConnectOptions oidc, DPoPOpenIdConnectOptions dpop) =>
        dpop.ClientAuthentication ?? (string.IsNullOrEmpty(oidc.ClientSecret) ? DPoPClientAuthenticationMethod.None : DPoPClientAuthenticationMethod.ClientSecretPost);
}
