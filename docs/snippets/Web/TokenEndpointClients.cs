using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>The scheme's token endpoint clients with a client certificate (mutual TLS) and resilience.</summary>
public static class TokenEndpointClients
{
    public static void UseMutualTls(IServiceCollection services, X509Certificate2 clientCertificate)
    {
        #region mtls
        services.AddDPoPOpenIdConnect("oidc", o => o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth);

        // Code exchange, refresh, revocation and the scheme's app tokens.
        services.ConfigureDPoPOpenIdConnectTokenEndpointClient("oidc", token => token
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { SslOptions = { ClientCertificates = [clientCertificate] } })
            .AddStandardResilienceHandler());

        // Discovery and pushed authorization requests go through the OpenID Connect handler's own backchannel.
        services.Configure<OpenIdConnectOptions>("oidc", o =>
            o.BackchannelHttpHandler = new SocketsHttpHandler { SslOptions = { ClientCertificates = [clientCertificate] } });
        #endregion
    }
}
