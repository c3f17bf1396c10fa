using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>One app-wide DPoP key instead of a key per session.</summary>
public static class AppWideKey
{
    public static void FromFile(IServiceCollection services)
    {
        #region app-wide-key-file
        services.AddDPoPOpenIdConnect("oidc", o =>
        {
            o.KeyPerSession = false;
            o.PrivateKeyPath = "/run/secrets/orders-web-dpop.pem";   // PEM or a private JWK; or PrivateKey inline
        });
        #endregion
    }

    public static void FromProvider(IServiceCollection services)
    {
        #region app-wide-key-provider
        services.AddDPoPKeyProvider<VaultDPoPKeyProvider>();
        services.AddDPoPOpenIdConnect("oidc", o =>
        {
            o.KeyPerSession = false;
            o.KeyName = "orders-web-users";   // default: the scheme's name
        });
        #endregion
    }
}
