using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>The shortest working registration, shown on the getting-started page.</summary>
public static class QuickStart
{
    public static void Register(IServiceCollection services)
    {
        #region add-dpop
        services.AddHttpClient("orders", client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP();
        #endregion
    }
}
