using System.Net.Http.Json;

namespace DPoP.Http.Docs.Snippets.Web;

#region orders-api
/// <summary>A typed client for the orders API; registered with AddDPoP().AddDPoPUserAccessToken("oidc").</summary>
public sealed class OrdersApi(HttpClient http)
{
    public async Task<Order[]> GetOrdersAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<Order[]>("orders", cancellationToken) ?? [];
}
#endregion
