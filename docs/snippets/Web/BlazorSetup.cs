using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>Blazor Web App (interactive server) registrations.</summary>
public static class BlazorSetup
{
    public static void AddBlazor(WebApplicationBuilder builder)
    {
        #region blazor-server
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddDPoPOpenIdConnect("oidc");
        builder.Services.AddDPoPBlazorServer();   // each circuit's inbound activities run in a DPoPUserScope of its user
        builder.Services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPUserAccessToken("oidc");
        #endregion
    }
}

#region orders-component
/// <summary>The code of an interactive server component (Orders.razor) that lists the user's orders.</summary>
public partial class OrdersPanel : ComponentBase
{
    [Inject] private OrdersApi Api { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected Order[] Orders { get; private set; } = [];

    protected async Task LoadAsync()
    {
        try
        {
            Orders = await Api.GetOrdersAsync();
        }
        catch (DPoPSessionExpiredException)
        {
            // The circuit outlived its session (signed out in another tab, refresh token refused): sign in again.
            Navigation.NavigateTo("/signin", forceLoad: true);
        }
    }
}
#endregion
