using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;

namespace DPoP.Http.Tests.Interop;

/// <summary>
/// Bugs the interop suite (tests/DPoP.Http.InteropTests, against panva's oidc-provider) found, reproduced here
/// without node so they stay fixed in every run.
/// </summary>
public sealed class InteropRegressionTests
{
    private static readonly Uri TokenEndpoint = new("https://as.example/token");

    /// <summary>
    /// oidc-provider authenticates the client before it checks the DPoP proof and records each client assertion's
    /// jti as it does (RFC 7523 §3), so the handler's nonce retry, which resent the same body, failed with
    /// invalid_client "client assertion tokens must only be used once".
    /// </summary>
    [Test]
    public async Task RequestClientCredentialsToken_PrivateKeyJwtAndNonceChallenge_RetriesWithNewAssertion()
    {
        var server = new AssertionReplayingTokenEndpoint();
        using var dpopKey = DPoPKey.Generate();
        using var assertionKey = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(dpopKey) { InnerHandler = server });
        var tokenClient = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = TokenEndpoint,
            ClientId = "client-1",
            ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
            ClientAssertionKey = assertionKey.ExportPrivateJwk(),
        });

        var response = await tokenClient.RequestClientCredentialsTokenAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.IsDPoPBound, Is.True);
            Assert.That(server.Statuses, Is.EqualTo(new[] { HttpStatusCode.BadRequest, HttpStatusCode.OK }));
            Assert.That(server.AssertionJtis.Distinct().Count(), Is.EqualTo(2), "each attempt carries its own client assertion");
            Assert.That(server.ProofNonces, Is.EqualTo(new[] { null, AssertionReplayingTokenEndpoint.Nonce }));
        });
    }

    [Test]
    public async Task RequestClientCredentialsToken_PrivateKeyJwtAndRepeatedNonceChallenge_ThrowsAfterOneRetry()
    {
        var server = new AssertionReplayingTokenEndpoint { AlwaysChallenge = true };
        using var dpopKey = DPoPKey.Generate();
        using var assertionKey = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(dpopKey) { InnerHandler = server });
        var tokenClient = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = TokenEndpoint,
            ClientId = "client-1",
            ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
            ClientAssertionKey = assertionKey.ExportPrivateJwk(),
        });

        var error = Assert.ThrowsAsync<DPoPTokenException>(() => tokenClient.RequestClientCredentialsTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Error, Is.EqualTo("use_dpop_nonce"));
            Assert.That(server.Statuses, Has.Count.EqualTo(2), "one retry, not a loop");
        });
    }

    [Test]
    public async Task RequestClientCredentialsToken_ClientSecretAndNonceChallenge_HandlerRetriesSameBody()
    {
        var server = new AssertionReplayingTokenEndpoint();
        using var dpopKey = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(dpopKey) { InnerHandler = server });
        var tokenClient = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = TokenEndpoint,
            ClientId = "client-1",
            ClientSecret = "secret",
        });

        var response = await tokenClient.RequestClientCredentialsTokenAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.IsDPoPBound, Is.True);
            Assert.That(server.Statuses, Is.EqualTo(new[] { HttpStatusCode.BadRequest, HttpStatusCode.OK }));
            Assert.That(server.Bodies.Distinct().Count(), Is.EqualTo(1), "a secret may be resent: the handler's own retry");
        });
    }

    /// <summary>
    /// A token endpoint that behaves like oidc-provider: client authentication first (a client assertion's jti is
    /// recorded and refused when seen again), then the DPoP nonce check.
    /// </summary>
    private sealed class AssertionReplayingTokenEndpoint : HttpMessageHandler
    {
        public const string Nonce = "server-nonce-1";

        private readonly HashSet<string> _seenJtis = [];

        public bool AlwaysChallenge { get; init; }

        public List<HttpStatusCode> Statuses { get; } = [];

        public List<string> AssertionJtis { get; } = [];

        public List<string?> ProofNonces { get; } = [];

        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            Bodies.Add(body);
            var form = body.Split('&').Select(p => p.Split('=')).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));
            var proofNonce = Claim(request.Headers.GetValues("DPoP").Single(), "nonce");
            ProofNonces.Add(proofNonce);

            HttpResponseMessage response;
            if (form.TryGetValue("client_assertion", out var assertion) && !_seenJtis.Add(RecordJti(assertion)))
            {
                response = Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","error_description":"client assertion tokens must only be used once"}""");
            }
            else if (AlwaysChallenge || proofNonce != Nonce)
            {
                response = Json(HttpStatusCode.BadRequest, """{"error":"use_dpop_nonce","error_description":"nonce is required in the DPoP proof"}""");
                response.Headers.Add("DPoP-Nonce", AlwaysChallenge ? $"nonce-{Statuses.Count}" : Nonce);
            }
            else
            {
                response = Json(HttpStatusCode.OK, """{"access_token":"at","token_type":"DPoP","expires_in":300}""");
            }

            Statuses.Add(response.StatusCode);
            return response;
        }

        private string RecordJti(string assertion)
        {
            var jti = Claim(assertion, "jti")!;
            AssertionJtis.Add(jti);
            return jti;
        }

        private static string? Claim(string jwt, string name)
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
            return payload.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
            new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
