using System.Net.Http.Json;

namespace DPoP.Http.Samples.Client;

/// <summary>A typed client for the protected API: plain HttpClient calls, DPoP and tokens are the pipeline's business.</summary>
internal sealed class OrdersApi(HttpClient http)
{
    public async Task<string> GetOrdersAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri("orders?status=open", UriKind.Relative), cancellationToken);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }

    public async Task<string> CreateOrderAsync(object order, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(new Uri("orders", UriKind.Relative), order, cancellationToken);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }
}
