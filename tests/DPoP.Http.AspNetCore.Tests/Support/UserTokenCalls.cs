using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using DPoP.Http.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>What the user-token API tests do: capture a signed-in principal, call the resource server by hand.</summary>
internal static class UserTokenCalls
{
    /// <summary>Signs <paramref name="user"/> in and returns the principal the app's /capture endpoint kept, as an app keeps one for later work.</summary>
    public static async Task<ClaimsPrincipal> SignInAndCaptureAsync(WebApp app, BrowserUser user)
    {
        using (await user.SignInAsync())
        {
        }

        using var captured = await user.GetAsync("capture");
        Assert.That(captured.StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed in");
        return app.Services.GetRequiredService<CapturedUsers>().Get(user.Login);
    }

    /// <summary>GET /orders with proofs made by hand (<c>DPoPProof.Create(key, "GET", uri, token, nonce)</c>), answering one nonce challenge.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> CallOrdersAsync(DPoPUserAccessToken token)
    {
        var uri = new Uri(InteropServers.ResourceServer, "orders");
        using var http = new HttpClient();
        string? nonce = null;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token.AccessToken);
            request.Headers.Add("DPoP", DPoPProof.Create(token.Key, "GET", uri.AbsoluteUri, token.AccessToken, nonce));
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (attempt == 0 && response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.TryGetValues("DPoP-Nonce", out var nonces))
            {
                nonce = nonces.First();
                continue;
            }

            return (response.StatusCode, JsonDocument.Parse(text.Length > 0 ? text : "{}").RootElement.Clone());
        }
    }
}
