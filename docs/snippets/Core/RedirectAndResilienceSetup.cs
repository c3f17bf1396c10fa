using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>Redirect settings and the order of resilience and DPoP handlers.</summary>
public static class RedirectAndResilienceSetup
{
    public static void NoRedirects(IServiceCollection services)
    {
        #region redirects-off
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(o => o.Handler.FollowRedirects = false); // 3xx responses reach the caller, nothing is followed
        #endregion
    }

    public static void FewerRedirects(IServiceCollection services)
    {
        #region max-redirects
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(o => o.Handler.MaxRedirects = 3); // the fourth redirect is returned to the caller
        #endregion
    }

    public static void ResilienceFirst(IServiceCollection services)
    {
        #region resilience-order
        var orders = services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"));
        orders.AddStandardResilienceHandler(); // first: the outer handler, its retries wrap DPoP …
        orders.AddDPoP();                      // … so every attempt gets a proof of its own
        #endregion
    }

    public static void ResilienceWrongOrder(IServiceCollection services)
    {
        #region resilience-wrong-order
        // Wrong: the retry sits inside DPoP and resends the first attempt's proof, which servers refuse as a
        // replay. The app logs warning 11 naming the client when it builds this client.
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddStandardResilienceHandler();
        #endregion
    }
}
