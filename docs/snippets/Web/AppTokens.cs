using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>The app's own tokens (client credentials) through the sign-in scheme's client registration.</summary>
public static class AppTokens
{
    public static void AddReportsClient(IServiceCollection services)
    {
        #region scheme-app-tokens
        services.AddDPoPOpenIdConnect("oidc");
        services.AddHttpClient("reports", c => c.BaseAddress = new Uri("https://reports.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken("oidc", o => o.Scope = "reports.read");
        #endregion
    }
}
