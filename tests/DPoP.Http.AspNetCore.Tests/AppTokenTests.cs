using DPoP.Http.InteropTests.AspNetCore.Support;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>App tokens through the OpenID Connect scheme's own registration: <c>AddClientCredentialsToken("oidc")</c>.</summary>
public sealed class AppTokenTests : InteropTest
{
    [Test]
    public async Task ClientCredentialsFromTheScheme_GetsOneBoundAppToken_ForManyCalls()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var mark = InteropServers.Log.Count;

        var results = new List<ApiResult>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await anonymous.GetAsync("app-api");
            results.Add(await ApiResult.ReadAsync(response));
        }

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.ApiStatus), Is.All.EqualTo(200), results[0].ApiError);
            Assert.That(results.Select(r => r.ClientId), Is.All.EqualTo(InteropServers.AuthorizationServer.WebClient.Id), "the scheme's client id");
            Assert.That(results.Select(r => r.User), Is.All.Null, "no one signed in");
            Assert.That(results.Select(r => r.TokenSubject), Is.All.EqualTo(InteropServers.AuthorizationServer.WebClient.Id), "an app token: its subject is the client");
            Assert.That(results.Select(r => r.TokenJkt).Distinct().Count(), Is.EqualTo(1), "bound to the app client's one key");
            Assert.That(ProviderLog.Count(mark, $"grant.success {InteropServers.AuthorizationServer.WebClient.Id} client_credentials"), Is.EqualTo(1), "cached");
        });
    }
}
