using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore.Tests.Unit;

/// <summary>
/// The package's services without a provider or a server: for the tests that need neither (these run without
/// Node.js, outside the interop fixture's namespace).
/// </summary>
internal static class UnitServices
{
    public const string Scheme = "oidc";

    public static ServiceProvider Build(
        Action<OpenIdConnectOptions>? configureOidc = null,
        Action<DPoPOpenIdConnectOptions>? configureDPoP = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication().AddCookie().AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = "https://login.example.com";
            o.ClientId = "web";
            o.ClientSecret = "secret";
            o.ResponseType = "code";
            configureOidc?.Invoke(o);
        });
        services.AddDPoPOpenIdConnect(Scheme, configureDPoP);
        configureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
