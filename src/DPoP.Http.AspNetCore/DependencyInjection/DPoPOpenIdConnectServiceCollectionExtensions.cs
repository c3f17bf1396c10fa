using DPoP.Http;
using DPoP.Http.AspNetCore;
using DPoP.Http.AspNetCore.Internal;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds DPoP (RFC 9449) to an ASP.NET Core app's OpenID Connect sign-in.</summary>
public static class DPoPOpenIdConnectServiceCollectionExtensions
{
    /// <summary>
    /// Makes the OpenID Connect scheme <paramref name="openIdConnectScheme"/> sign users in with DPoP-bound tokens:
    /// <c>dpop_jkt</c> on the authorization request (and in PAR), the code redeemed with a DPoP proof (nonce
    /// challenges answered, <c>token_type</c> checked, PKCE kept), a key per session (by default) kept with the
    /// session's tokens in a server-side store protected by Data Protection, and the refresh token revoked when the
    /// sign-in cookie is signed out. Add <c>AddDPoPUserAccessToken()</c> to the HttpClients that call APIs as the user.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="openIdConnectScheme">The scheme registered with <c>AddOpenIdConnect()</c>.</param>
    /// <param name="configure">Configures the scheme's <see cref="DPoPOpenIdConnectOptions"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    public static IServiceCollection AddDPoPOpenIdConnect(
        this IServiceCollection services,
        string openIdConnectScheme = OpenIdConnectDefaults.AuthenticationScheme,
        Action<DPoPOpenIdConnectOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        var registry = services.AddDPoPWebCore();
        var firstCall = registry.Add(openIdConnectScheme);

        var options = services.AddOptions<DPoPOpenIdConnectOptions>(openIdConnectScheme);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddOptions<OpenIdConnectOptions>(openIdConnectScheme).ValidateOnStart();

        if (!firstCall)
        {
            return services; // a further configuration of the scheme: its token endpoint client is registered already
        }

        // The scheme's token endpoint client: DPoP with the key of the session being signed in, refreshed or signed out.
        services.AddTokenEndpointClient(registry, openIdConnectScheme, SchemeEndpoints.TokenClientName(openIdConnectScheme), apiClientName: null);
        return services;
    }

    /// <summary>
    /// Configures the HttpClients through which the app calls the token endpoint of the OpenID Connect scheme
    /// <paramref name="openIdConnectScheme"/> (and its revocation endpoint): the scheme's own — code exchange at
    /// sign-in, refresh, revocation at sign-out — and those of <c>AddDPoPClientCredentialsToken(openIdConnectScheme)</c>.
    /// <paramref name="configure"/> receives each one's <see cref="IHttpClientBuilder"/>, for a primary handler with a
    /// client certificate (mutual TLS, RFC 8705), a proxy or a resilience handler. Their DPoP handler is always the
    /// innermost, so a retry handler added here gives every attempt a fresh proof. Can be called before or after
    /// <see cref="AddDPoPOpenIdConnect(IServiceCollection, string, Action{DPoPOpenIdConnectOptions}?)"/> and the
    /// client registrations. Discovery and pushed authorization requests are sent by the OpenID Connect handler
    /// itself, through its <c>Backchannel</c>: with mutual TLS, give it the certificate too (<c>BackchannelHttpHandler</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="openIdConnectScheme">The scheme registered with <c>AddOpenIdConnect()</c> and <c>AddDPoPOpenIdConnect()</c>.</param>
    /// <param name="configure">Configures one token endpoint client's builder; called once for each of the scheme's token endpoint clients.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    public static IServiceCollection ConfigureDPoPOpenIdConnectTokenEndpointClient(this IServiceCollection services, string openIdConnectScheme, Action<IHttpClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddDPoPWebCore().ConfigureDPoPTokenEndpointClients(openIdConnectScheme, configure);
        return services;
    }

    /// <summary>
    /// Registers <paramref name="tokenClientName"/> as a token endpoint client of <paramref name="scheme"/>: in
    /// DPoP.Http's registry, whose pipeline filter adds its DPoP handler innermost when the pipeline is built (signing
    /// with <paramref name="apiClientName"/>'s key, or, for the scheme's own client, with the session's key each request
    /// carries), and here, so the app's <c>ConfigureDPoPOpenIdConnectTokenEndpointClient()</c> applies to it.
    /// </summary>
    internal static void AddTokenEndpointClient(this IServiceCollection services, DPoPSchemeRegistry registry, string scheme, string tokenClientName, string? apiClientName)
    {
        var clients = services.AddDPoPCore();
        if (apiClientName is null)
        {
            clients.AddSchemeTokenEndpointClient(tokenClientName, scheme);
        }
        else
        {
            clients.AddTokenEndpointClient(tokenClientName, apiClientName);
        }

        registry.AddTokenEndpointClient(scheme, services.AddHttpClient(tokenClientName));
    }

    /// <summary>
    /// Like <see cref="AddDPoPOpenIdConnect(IServiceCollection, string, Action{DPoPOpenIdConnectOptions}?)"/> for the
    /// default scheme name, <see cref="OpenIdConnectDefaults.AuthenticationScheme"/> (<c>"OpenIdConnect"</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the scheme's <see cref="DPoPOpenIdConnectOptions"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddDPoPOpenIdConnect(this IServiceCollection services, Action<DPoPOpenIdConnectOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddDPoPOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, configure);
    }

    /// <summary>The package's shared registrations, added once; returns the registry of DPoP schemes.</summary>
    internal static DPoPSchemeRegistry AddDPoPWebCore(this IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(DPoPSchemeRegistry) && descriptor.ImplementationInstance is DPoPSchemeRegistry existing)
            {
                return existing;
            }
        }

        var registry = new DPoPSchemeRegistry();
        services.AddSingleton(registry);
        services.AddHttpContextAccessor();
        services.AddDataProtection();
        services.AddDistributedMemoryCache();
        services.AddMetrics();
        services.TryAddSingleton<DPoPWebMetrics>();
        services.TryAddSingleton<UserSessionStore>();
        services.TryAddSingleton<SessionKeys>();
        services.TryAddSingleton<SchemeEndpoints>();
        services.TryAddSingleton<RefreshTokenRevocation>();
        services.TryAddSingleton<SessionRefreshLock>();
        services.TryAddSingleton<UserTokenRefresher>();
        services.TryAddSingleton<SessionRefreshTurns>();
        services.TryAddSingleton<UserSessionTokens>();
        services.TryAddSingleton<UserSessions>();
        services.TryAddSingleton<SessionClaims>();
        services.TryAddSingleton<IDPoPUserAccessTokens, UserAccessTokens>();
        services.TryAddSingleton<OpenIdConnectDPoPEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenIdConnectOptions>, OpenIdConnectDPoPOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPOpenIdConnectOptions>, DPoPOpenIdConnectOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPOpenIdConnectOptions>, RefreshLockOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FarmRefreshLockCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectDPoPPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, CookieSignOutPostConfigure>());
        return registry;
    }
}
