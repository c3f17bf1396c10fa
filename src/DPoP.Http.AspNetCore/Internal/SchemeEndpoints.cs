using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The token and revocation endpoints of an OpenID Connect scheme, from its configuration (discovery, cached by
/// the scheme's own ConfigurationManager), and a <see cref="DPoPTokenClient"/> that uses the scheme's client id
/// and secret and signs with <see cref="AmbientDPoPKey"/>.
/// </summary>
internal sealed class SchemeEndpoints(
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    IOptionsMonitor<DPoPOpenIdConnectOptions> dpopOptions,
    IHttpClientFactory httpClientFactory,
    IServiceProvider services)
{
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

    /// <summary>A token client of the scheme, signing with the ambient key (set it with <see cref="AmbientDPoPKey.Use"/>).</summary>
    public async Task<DPoPTokenClient> CreateTokenClientAsync(string scheme, CancellationToken cancellationToken)
    {
        var configuration = await GetConfigurationAsync(scheme, cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(configuration.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint))
        {
            throw new InvalidOperationException($"OpenID Connect scheme '{scheme}': the provider's configuration has no token_endpoint.");
        }

        var options = CreateTokenClientOptions(scheme, tokenEndpoint);
        options.RevocationEndpoint = Uri.TryCreate(configuration.RevocationEndpoint, UriKind.Absolute, out var revocation) ? revocation : null;
        return new DPoPTokenClient(httpClientFactory.CreateClient(TokenClientName(scheme)), options, TimeProvider(scheme))
        {
            Name = TokenClientName(scheme),
            LoggerFactory = services.GetService<ILoggerFactory>(),
            MeterFactory = services.GetService<IMeterFactory>(),
        };
    }

    /// <summary>The RFC 7009 revocation endpoint from discovery, or null when the provider has none.</summary>
    public async Task<Uri?> GetRevocationEndpointAsync(string scheme, CancellationToken cancellationToken)
    {
        var configuration = await GetConfigurationAsync(scheme, cancellationToken).ConfigureAwait(false);
        return Uri.TryCreate(configuration.RevocationEndpoint, UriKind.Absolute, out var endpoint) ? endpoint : null;
    }

    public static DPoPClientAuthenticationMethod ClientAuthentication(OpenIdConnectOptions oidc, DPoPOpenIdConnectOptions dpop) =>
        dpop.ClientAuthentication ?? (string.IsNullOrEmpty(oidc.ClientSecret) ? DPoPClientAuthenticationMethod.None : DPoPClientAuthenticationMethod.ClientSecretPost);
}
