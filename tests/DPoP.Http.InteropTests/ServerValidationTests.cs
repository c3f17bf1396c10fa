using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;

namespace DPoP.Http.InteropTests;

/// <summary>
/// The servers' checks are real: proofs and tokens a correct client never sends, hand-made with the library's core
/// API and sent without the handler, are refused with the RFC 9449 error. Without this, the other tests could pass
/// against a server that accepts anything.
/// </summary>
public sealed class ServerValidationTests : InteropTest
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public enum Defect
    {
        NoNonce,
        UnknownNonce,
        WrongMethod,
        WrongUri,
        AthOfAnotherToken,
        NoAth,
        Replayed,
        IssuedLongAgo,
        TwoProofs,
        SignedByAnotherKey,
        AlgorithmNotAllowed,
        BearerScheme,
        TamperedToken,
    }

    [TestCase(Defect.NoNonce, "use_dpop_nonce")]
    [TestCase(Defect.UnknownNonce, "use_dpop_nonce")]
    [TestCase(Defect.WrongMethod, "invalid_dpop_proof")]
    [TestCase(Defect.WrongUri, "invalid_dpop_proof")]
    [TestCase(Defect.AthOfAnotherToken, "invalid_dpop_proof")]
    [TestCase(Defect.NoAth, "invalid_dpop_proof")]
    [TestCase(Defect.Replayed, "invalid_dpop_proof")]
    [TestCase(Defect.IssuedLongAgo, "invalid_dpop_proof")]
    [TestCase(Defect.TwoProofs, "invalid_dpop_proof")]
    [TestCase(Defect.SignedByAnotherKey, "invalid_token")]
    [TestCase(Defect.AlgorithmNotAllowed, "invalid_dpop_proof")]
    [TestCase(Defect.BearerScheme, "invalid_token")]
    [TestCase(Defect.TamperedToken, "invalid_token")]
    public async Task ResourceServer_Defect_Rejected(Defect defect, string expectedError)
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients("validation");
        var key = await clients.GetKeyAsync(clients.TokenKeyName);
        var token = (await clients.RequestTokenAsync(server.BasicClient, server.JwtResource)).AccessToken;
        var otherToken = (await clients.RequestTokenAsync(server.BasicClient, server.JwtResource)).AccessToken;
        var uri = new Uri(InteropServers.ResourceServer, "orders");
        var nonce = await CurrentNonceAsync(uri);
        using var otherKey = DPoPKey.Generate(defect == Defect.AlgorithmNotAllowed ? DPoPAlgorithms.RS512 : DPoPAlgorithms.ES256);

        var proof = defect switch
        {
            Defect.NoNonce => DPoPProof.Create(key, HttpMethod.Get, uri, token),
            Defect.UnknownNonce => DPoPProof.Create(key, HttpMethod.Get, uri, token, "not-a-nonce-the-server-issued"),
            Defect.WrongMethod => DPoPProof.Create(key, HttpMethod.Post, uri, token, nonce),
            Defect.WrongUri => DPoPProof.Create(key, HttpMethod.Get, new Uri(InteropServers.ResourceServer, "other"), token, nonce),
            Defect.AthOfAnotherToken => DPoPProof.Create(key, HttpMethod.Get, uri, otherToken, nonce),
            Defect.NoAth => DPoPProof.Create(key, HttpMethod.Get, uri, accessToken: null, nonce),
            Defect.IssuedLongAgo => DPoPProof.Create(key, HttpMethod.Get, uri, token, nonce, new FixedTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10))),
            Defect.SignedByAnotherKey or Defect.AlgorithmNotAllowed => DPoPProof.Create(otherKey, HttpMethod.Get, uri, token, nonce),
            Defect.TamperedToken => DPoPProof.Create(key, HttpMethod.Get, uri, Tamper(token), nonce),
            _ => DPoPProof.Create(key, HttpMethod.Get, uri, token, nonce),
        };
        var sentToken = defect == Defect.TamperedToken ? Tamper(token) : token;

        if (defect == Defect.Replayed)
        {
            using var first = await SendAsync(uri, proof, sentToken);
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the proof is good the first time");
        }

        using var response = await SendAsync(uri, proof, sentToken, scheme: defect == Defect.BearerScheme ? "Bearer" : "DPoP", twoProofs: defect == Defect.TwoProofs ? DPoPProof.Create(key, HttpMethod.Get, uri, token, nonce) : null);

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme == "DPoP")?.Parameter ?? string.Empty;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(challenge, Does.Contain($"error=\"{expectedError}\""));
        });
    }

    [TestCase(Defect.WrongUri)]
    [TestCase(Defect.WrongMethod)]
    [TestCase(Defect.AlgorithmNotAllowed)]
    [TestCase(Defect.IssuedLongAgo)]
    public async Task AuthorizationServer_Defect_Rejected(Defect defect)
    {
        var server = InteropServers.AuthorizationServer;
        using var key = DPoPKey.Generate(defect == Defect.AlgorithmNotAllowed ? DPoPAlgorithms.RS512 : DPoPAlgorithms.ES256);
        var nonce = await TokenEndpointNonceAsync();
        var proof = defect switch
        {
            Defect.WrongUri => DPoPProof.Create(key, HttpMethod.Post, new Uri(server.Issuer, "/token/other"), nonce: nonce),
            Defect.WrongMethod => DPoPProof.Create(key, HttpMethod.Put, server.TokenEndpoint, nonce: nonce),
            // Without a nonce oidc-provider checks iat itself; with one, the nonce vouches for freshness.
            Defect.IssuedLongAgo => DPoPProof.Create(key, HttpMethod.Post, server.TokenEndpoint, null, null, new FixedTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-10))),
            _ => DPoPProof.Create(key, HttpMethod.Post, server.TokenEndpoint, nonce: nonce),
        };

        using var response = await SendTokenRequestAsync(proof);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            Assert.That(json.RootElement.GetProperty("error").GetString(), Is.AnyOf("invalid_dpop_proof", "use_dpop_nonce"), body);
            if (defect != Defect.IssuedLongAgo)
            {
                Assert.That(json.RootElement.GetProperty("error").GetString(), Is.EqualTo("invalid_dpop_proof"), body);
            }
        });
    }

    private static async Task<string> CurrentNonceAsync(Uri uri)
    {
        using var response = await Http.GetAsync(uri);
        return response.Headers.GetValues("DPoP-Nonce").Single();
    }

    private static async Task<string> TokenEndpointNonceAsync()
    {
        using var key = DPoPKey.Generate();
        using var response = await SendTokenRequestAsync(DPoPProof.Create(key, HttpMethod.Post, InteropServers.AuthorizationServer.TokenEndpoint));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        return response.Headers.GetValues("DPoP-Nonce").Single();
    }

    private static async Task<HttpResponseMessage> SendTokenRequestAsync(string proof)
    {
        var server = InteropServers.AuthorizationServer;
        var client = server.PostClient;
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("resource", server.JwtResource),
                new("client_id", client.Id),
                new("client_secret", client.Secret!),
            ]),
        };
        request.Headers.TryAddWithoutValidation("DPoP", proof);
        return await Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendAsync(Uri uri, string proof, string token, string scheme = "DPoP", string? twoProofs = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        request.Headers.TryAddWithoutValidation("DPoP", proof);
        if (twoProofs is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", twoProofs);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>The token with one character of its signature changed.</summary>
    private static string Tamper(string token)
    {
        var chars = token.ToCharArray();
        var i = chars.Length - 5;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
