using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>Where a client's DPoP key comes from: the keys page.</summary>
public static class KeyRegistrations
{
    public static void Generated(IServiceCollection services)
    {
        #region generated-key
        // No key settings: a key is generated for the key name "billing" (the client's name) at first use
        // and kept for the app's lifetime. Algorithm picks its algorithm (ES256 when not set).
        services.AddHttpClient("billing", client => client.BaseAddress = new Uri("https://billing.example.com/"))
            .AddDPoP(o => o.Algorithm = DPoPAlgorithms.ES384);
        #endregion
    }

    public static void FromConfiguration(HostApplicationBuilder builder)
    {
        #region configured-key
        // Binds DPoPClientOptions from "DPoP:Orders": PrivateKey (inline PEM or JWK) or PrivateKeyPath (a file).
        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(builder.Configuration.GetSection("DPoP:Orders"));
        #endregion
    }

    public static void SharedKeyName(IServiceCollection services)
    {
        #region shared-key-name
        // Tokens obtained through the "orders-token" client are bound to the key named "orders";
        // the API client signs with the same key, so the token's cnf.jkt matches its proofs.
        services.AddHttpClient("orders-token").AddDPoP(o => o.KeyName = "orders");
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(o => o.KeyName = "orders");
        #endregion
    }

    public static void OwnProvider(IServiceCollection services)
    {
        #region own-provider
        // For every DPoP client that has no provider of its own and no key in its options:
        services.AddDPoPKeyProvider<CertificateStoreKeyProvider>();

        // For one client only (wins over a key in its options and over the app-wide provider):
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPKeyProvider<EncryptedPemKeyProvider>();
        #endregion
    }
}
