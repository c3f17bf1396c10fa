using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;

namespace DPoP.Http.InteropTests;

/// <summary>Every DPoP signing algorithm the authorization server is configured to accept, end to end.</summary>
public sealed class AlgorithmTests : InteropTest
{
    [TestCase(DPoPAlgorithms.ES256)]
    [TestCase(DPoPAlgorithms.ES384)]
    [TestCase(DPoPAlgorithms.ES512)]
    [TestCase(DPoPAlgorithms.RS256)]
    [TestCase(DPoPAlgorithms.PS256)]
    public async Task TokenThenGetAndPost_Algorithm_AcceptedByBothServers(string algorithm)
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients($"alg-{algorithm}", algorithm: algorithm);
        var key = await clients.GetKeyAsync(clients.TokenKeyName);

        var token = await clients.RequestTokenAsync(server.BasicClient, server.JwtResource);
        using var get = new HttpRequestMessage(HttpMethod.Get, $"algorithms/{algorithm}").SetDPoPAccessToken(token.AccessToken);
        var (getStatus, getBody, _) = await clients.SendToApiAsync(get);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"algorithms/{algorithm}") { Content = JsonContent.Create(new { algorithm, n = 1 }) };
        post.SetDPoPAccessToken(token.AccessToken);
        var (postStatus, postBody, _) = await clients.SendToApiAsync(post);

        using var echo = JsonDocument.Parse(postBody);
        Assert.Multiple(() =>
        {
            Assert.That(server.DPoPSigningAlgorithms, Does.Contain(algorithm), "the provider advertises it");
            Assert.That(key.Algorithm, Is.EqualTo(algorithm));
            Assert.That(clients.TokenExchanges.All.Select(a => a.Proof?.Alg), Is.All.EqualTo(algorithm));
            Assert.That(JwtParts.Payload(token.AccessToken).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(getStatus, Is.EqualTo(HttpStatusCode.OK), getBody);
            Assert.That(postStatus, Is.EqualTo(HttpStatusCode.OK), postBody);
            Assert.That(echo.RootElement.GetProperty("alg").GetString(), Is.EqualTo(algorithm));
            Assert.That(echo.RootElement.GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(echo.RootElement.GetProperty("body").GetString(), Is.EqualTo($$"""{"algorithm":"{{algorithm}}","n":1}"""));
            Assert.That(clients.ApiExchanges.All.Count(a => a.Error == "use_dpop_nonce"), Is.EqualTo(1), clients.ApiExchanges.ToString());
        });
    }
}
