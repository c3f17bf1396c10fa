using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Reliability;

/// <summary>A token client and an API client sharing one key, against a demo server.</summary>
internal static class DemoClients
{
    public static ServiceProvider Build(DemoServerHost server, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("token").AddDPoP(o => o.KeyName = "shared");
        services.AddHttpClient("api", c => c.BaseAddress = server.ApiBaseAddress).AddDPoP(o => o.KeyName = "shared");
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static async Task<string> GetTokenAsync(HttpClient tokenClient, DemoServerHost server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("demo-client:demo-secret")));
        using var response = await tokenClient.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
