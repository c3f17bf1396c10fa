using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>Setting DPoPClientOptions in code and from configuration: the handler options page.</summary>
public static class HandlerOptionsSetup
{
    public static void InCode(IServiceCollection services)
    {
        #region options-in-code
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(o =>
            {
                o.Algorithm = DPoPAlgorithms.ES256;
                o.Handler.MaxBufferedRequestBodySize = 256 * 1024;    // resend bodies up to 256 KiB after a nonce challenge
                o.NonceLifetime = TimeSpan.FromMinutes(5);    // forget a nonce the server has not repeated for 5 minutes
                o.Handler.ClockOffset = TimeSpan.FromSeconds(-30);    // this host's clock runs 30 s ahead of the servers'
                o.Handler.MaxRedirects = 5;
            });
        #endregion
    }

    public static void FromConfiguration(HostApplicationBuilder builder)
    {
        #region options-from-configuration
        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(builder.Configuration.GetSection("DPoP:Orders"), o => o.Handler.FollowRedirects = false); // code runs after binding
        #endregion
    }
}
