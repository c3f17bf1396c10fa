using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Support;

/// <summary>A token client and an API client sharing one key, against a demo server.</summary>
internal static class DemoClients
{
    /// <summary><c>token</c> and <c>api</c> (at the server's API base address), both signing with key <paramref name="keyName"/>.</summary>
    public static ServiceProvider Build(DemoServerHost server, Action<IServiceCollection>? more = null, string keyName = "shared", string? algorithm = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("token").AddDPoP(o => { o.KeyName = keyName; o.Algorithm = algorithm; });
        services.AddHttpClient("api", c => c.BaseAddress = server.ApiBaseAddress).AddDPoP(o => { o.KeyName = keyName; o.Algorithm = algorithm; });
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>A client_credentials token (client_secret_basic); asserts a 200 answer with <c>token_type</c> DPoP.</summary>
    public static async Task<string> GetTokenAsync(HttpClient tokenClient, DemoServerHost server, string clientId = "demo-client", string secret = "demo-secret")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        using var response = await tokenClient.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
