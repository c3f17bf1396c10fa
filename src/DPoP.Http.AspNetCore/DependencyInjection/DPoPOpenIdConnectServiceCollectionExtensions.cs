using DPoP.Http;
using DPoP.Http.AspNetCore;
using DPoP.Http.AspNetCore.Internal;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// sign-in cookie is signed out. Add <c>AddUserAccessToken()</c> to the HttpClients that call APIs as the user.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="openIdConnectScheme">The scheme registered with <c>AddOpenIdConnect()</c>.</param>
    /// <param name="configure">Configures the scheme's <see cref="DPoPOpenIdConnectOptions"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    public static IServiceCollection AddOpenIdConnectDPoP(
        this IServiceCollection services,
        string openIdConnectScheme = OpenIdConnectDefaults.AuthenticationScheme,
        Action<DPoPOpenIdConnectOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        services.AddDPoPWebCore().Add(openIdConnectScheme);

        var options = services.AddOptions<DPoPOpenIdConnectOptions>(openIdConnectScheme);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddOptions<OpenIdConnectOptions>(openIdConnectScheme).ValidateOnStart();

        // The scheme's token endpoint client: DPoP with the key of the session being signed in or refreshed.
        services.AddHttpClient(SchemeEndpoints.TokenClientName(openIdConnectScheme))
            .AddDPoP()
            .AddDPoPKeyProvider<AmbientDPoPKeyProvider>();
        return services;
    }

    /// <summary>
    /// Like <see cref="AddOpenIdConnectDPoP(IServiceCollection, string, Action{DPoPOpenIdConnectOptions}?)"/> for the
    /// default scheme name, <see cref="OpenIdConnectDefaults.AuthenticationScheme"/> (<c>"OpenIdConnect"</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the scheme's <see cref="DPoPOpenIdConnectOptions"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddOpenIdConnectDPoP(this IServiceCollection services, Action<DPoPOpenIdConnectOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddOpenIdConnectDPoP(OpenIdConnectDefaults.AuthenticationScheme, configure);
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
        services.TryAddSingleton<UserSessions>();
        services.TryAddSingleton<OpenIdConnectDPoPEvents>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenIdConnectOptions>, OpenIdConnectDPoPOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DPoPOpenIdConnectOptions>, DPoPOpenIdConnectOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectDPoPPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, CookieSignOutPostConfigure>());
        return registry;
    }
}
