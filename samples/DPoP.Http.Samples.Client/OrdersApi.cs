using System.Net.Http.Json;

namespace DPoP.Http.Samples.Client;

/// <summary>A typed client for the protected API; the DPoP token travels as a request option.</summary>
internal sealed class OrdersApi(HttpClient http)
{
    public async Task<string> GetOrdersAsync(string accessToken, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders?status=open").SetDPoPAccessToken(accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }

    public async Task<string> CreateOrderAsync(string accessToken, object order, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = JsonContent.Create(order) };
        request.SetDPoPAccessToken(accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }
}
