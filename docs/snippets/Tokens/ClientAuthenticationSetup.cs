using System.Net;
using System.Security.Cryptography.X509Certificates;
using DPoP.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>The ways a client authenticates at the token endpoint (the client authentication page).</summary>
public static class ClientAuthenticationSetup
{
    public static void SecretPost(IServiceCollection services, IConfiguration configuration)
    {
        #region client-secret-post
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientSecret = configuration["Orders:ClientSecret"];
                options.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost; // default: ClientSecretBasic
            });
        #endregion
    }

    public static void PrivateKeyJwt(IServiceCollection services)
    {
        #region private-key-jwt
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
                options.ClientAssertionKeyPath = "/run/secrets/orders-client-key.pem"; // the client's registered key, not the DPoP key
                options.ClientAssertionKeyId = "orders-2026";                          // kid, when the server needs it
                options.ClientAssertionAudience = "https://login.example.com/";       // aud, when the server wants its issuer
            });
        #endregion
    }

    public static void AssertionProvider(IServiceCollection services)
    {
        #region assertion-provider-registration
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientAssertionProvider<StoreCertificateAssertions>()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt; // and no ClientAssertionKey/Path
            });
        #endregion
    }

    public static void MutualTls(IServiceCollection services, X509Certificate2 clientCertificate)
    {
        #region mtls
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://mtls.login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth; // or SelfSignedTlsClientAuth
            })
            .ConfigureDPoPTokenEndpointClient(token => token
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    SslOptions = { ClientCertificates = [clientCertificate] }, // with its private key
                    Proxy = new WebProxy("http://proxy.internal:3128"),
                })
                .AddStandardResilienceHandler());
        #endregion
    }
}
