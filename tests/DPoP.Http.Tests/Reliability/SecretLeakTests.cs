using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Secrets (private key material, access tokens, nonces, proofs) never show in a log line at Trace — message,
/// structured state, scopes or exception —, in an exception message, or in the <c>ToString()</c> of a public type.
/// </summary>
public sealed class SecretLeakTests
{
    private const string Token = "secret-token-9f1c2a7e";

    /// <summary>Everything secret a run touched, to look for in the haystack.</summary>
    private sealed class Secrets
    {
        private readonly ConcurrentBag<string> _values = [];

        public void Add(string? value, int minLength = 8)
        {
            if (value is { Length: > 0 } && value.Length >= minLength)
            {
                _values.Add(value);
            }
        }

        public void AddKey(DPoPKey key)
        {
            foreach (var line in key.PrivateKeyPem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!line.StartsWith("-----", StringComparison.Ordinal))
                {
                    Add(line, 16);
                }
            }

            using var jwk = JsonDocument.Parse(key.ExportPrivateJwk());
            foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" })
            {
                if (jwk.RootElement.TryGetProperty(member, out var value))
                {
                    Add(value.GetString());
                    Add(value.GetString()![..16]);
                }
            }
        }

        public void AddProof(string proof)
        {
            Add(proof);
            foreach (var part in proof.Split('.').Skip(1))
            {
                Add(part);
            }
        }

        public IReadOnlyList<string> FoundIn(string haystack) => [.. _values.Distinct().Where(v => haystack.Contains(v, StringComparison.Ordinal))];
    }

    /// <summary>
    /// IHttpClientFactory's own Trace header dumps: their messages redact every value (the .NET 9+ default), but
    /// their structured state is the raw header collection, whatever the redaction (dotnet/runtime's
    /// HttpHeadersLogValue). No handler can change what that logger reads from the request, so their state is left
    /// out of the haystack; their messages stay in it.
    /// </summary>
    private static readonly HashSet<string> PlatformHeaderDumps = ["RequestHeader", "ResponseHeader", "RequestPipelineRequestHeader", "RequestPipelineResponseHeader"];

    private static string Haystack(FakeLogCollector collector)
    {
        var text = new StringBuilder();
        foreach (var record in collector.GetSnapshot())
        {
            text.AppendLine(record.Message).AppendLine(record.Exception?.ToString());
            var platformDump = record.Category?.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) == true && PlatformHeaderDumps.Contains(record.Id.Name ?? string.Empty);
            foreach (var (name, value) in platformDump ? [] : record.StructuredState ?? [])
            {
                text.Append(name).Append('=').AppendLine(value);
            }

            foreach (var scope in record.Scopes)
            {
                text.AppendLine(scope?.ToString());
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (name, value) in pairs)
                    {
                        text.Append(name).Append('=').AppendLine(value?.ToString());
                    }
                }
            }
        }

        return text.ToString();
    }

    [TestCase(DPoPAlgorithms.ES256)]
    [TestCase(DPoPAlgorithms.RS256)]
    public async Task TraceLogs_OfEveryHandlerPath_HoldNoKeyTokenNonceOrProof(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var secrets = new Secrets();
        secrets.AddKey(key);
        secrets.Add(Token);
        secrets.Add("secret-query");
        secrets.Add("secret-password");
        secrets.Add("secret-request-body");
        string Nonce(string name)
        {
            var nonce = "secret-nonce-" + name;
            secrets.Add(nonce);
            return nonce;
        }

        using var host = new DPoPTestHost((seen, _) =>
        {
            secrets.AddProof(seen.Proof);
            var proof = seen.Verified;
            var nonce = proof.HasClaim("nonce") ? proof.Claim("nonce") : null;
            return seen.Uri.AbsolutePath switch
            {
                "/token" when nonce is null => MockServer.TokenEndpointNonceChallenge(Nonce("as-1")),
                "/token" => MockServer.Ok(Nonce("as-2")),
                "/orders" when nonce != Nonce("rs-1") => MockServer.ResourceNonceChallenge(Nonce("rs-1")),
                "/orders" => MockServer.Ok("secret nonce with spaces " + Nonce("rs-invalid")),
                "/redirect" => MockServer.WithNonce(new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("https://other.example/landing?secret-query=2") } }, Nonce("redirect")),
                "/refused" => new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("https://user:secret-password@x.example/") } },
                "/stuck" => MockServer.ResourceNonceChallenge(nonce ?? Nonce("stuck")),
                "/long" => MockServer.Ok(Nonce("long-") + new string('x', 3000)),
                "/two" => MockServer.WithNonce(MockServer.Ok(Nonce("two-a")), Nonce("two-b")),
                "/upload" => MockServer.TokenEndpointNonceChallenge(Nonce("upload")),
                _ => MockServer.Ok(Nonce("landing")),
            };
        }, o => o.PrivateKey = key.PrivateKeyPem);
        var client = host.CreateClient();

        using (var token = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("secret-request-body") })
        {
            (await client.SendAsync(token)).Dispose();
        }

        foreach (var path in new[] { "orders?secret-query=1", "orders?secret-query=1", "redirect?secret-query=3", "refused", "stuck", "stuck", "long", "two" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path).SetDPoPAccessToken(Token);
            (await client.SendAsync(request)).Dispose();
        }

        using (var upload = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("secret-request-body" + new string('b', 100_000)))) })
        {
            upload.SetDPoPAccessToken(Token);
            (await client.SendAsync(upload)).Dispose();
        }

        var haystack = Haystack(host.LogCollector.Collector);
        Assert.Multiple(() =>
        {
            Assert.That(host.LogCollector.Collector.Count, Is.GreaterThan(20), "the run did log");
            Assert.That(haystack, Does.Contain("ignored a DPoP-Nonce header"), "the invalid-nonce path ran");
            Assert.That(haystack, Does.Contain("not following a 302"), "the refused-redirect path ran");
            Assert.That(haystack, Does.Contain("cannot be sent again"), "the refused-retry path ran");
            Assert.That(haystack, Does.Contain("sent no new one"), "the stuck-challenge path ran");
            Assert.That(secrets.FoundIn(haystack), Is.Empty, "secrets in the logs");
        });
    }

    [Test]
    [Category("Integration")]
    public async Task TraceLogs_AgainstRealServers_WithRedirectsAndAborts_HoldNoSecrets()
    {
        var secrets = new Secrets();
        secrets.Add(Token);
        await using var b = await KestrelTestServer.StartAsync(async (c, seen) =>
        {
            secrets.AddProof(seen.Proof);
            c.Response.Headers["DPoP-Nonce"] = "secret-nonce-of-b";
            await c.Response.WriteAsync("b");
        });
        await using var a = await KestrelTestServer.StartAsync(async (c, seen) =>
        {
            secrets.AddProof(seen.Proof);
            c.Response.Headers["DPoP-Nonce"] = "secret-nonce-of-a";
            if (c.Request.Path == "/abort")
            {
                c.Abort();
                return;
            }

            if (c.Request.Path == "/go")
            {
                c.Response.StatusCode = 307;
                c.Response.Headers.Location = new Uri(b.BaseAddress, "landing?secret-query=1").ToString();
                return;
            }

            await c.Response.WriteAsync("a");
        });
        secrets.Add("secret-nonce-of-a");
        secrets.Add("secret-nonce-of-b");
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, a.BaseAddress);
        foreach (var path in new[] { "x", "go", "go", "abort" })
        {
            try
            {
                (await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path).SetDPoPAccessToken(Token))).Dispose();
            }
            catch (HttpRequestException ex)
            {
                Assert.That(secrets.FoundIn(ex.ToString()), Is.Empty);
            }
        }

        var haystack = Haystack(client.LogCollector.Collector);
        Assert.Multiple(() =>
        {
            Assert.That(haystack, Does.Contain("following a 307 redirect"));
            Assert.That(secrets.FoundIn(haystack), Is.Empty);
        });
    }

    private static IEnumerable<TestCaseData> FailingCalls()
    {
        const string secretNonce = "secret nonce 77";
        const string badToken = "secret token 88";
        yield return Case("Proof_BadNonce", () => DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/", nonce: secretNonce), secretNonce);
        yield return Case("Proof_BadToken", () => DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/", accessToken: badToken), badToken);
        yield return Case("Proof_UserInfo", () => DPoPProof.Create(DPoPKey.Generate(), "GET", "https://user:secret-pw-55@a.example/"), "secret-pw-55");
        yield return Case("Ath_BadToken", () => DPoPProof.ComputeAth(badToken), badToken);
        yield return Case("Headers_BadProof", () => DPoPHeaders.Build("secret.proof value"), "secret.proof value");
        yield return Case("Headers_BadToken", () => DPoPHeaders.Build("a.b.c", badToken), badToken);
        yield return Case("SetToken_BadToken", () => new HttpRequestMessage().SetDPoPAccessToken(badToken), badToken);
        yield return Case("NonceStore_BadNonce", () => new DPoPNonceStore().SetNonce(new Uri("https://a.example/"), secretNonce), secretNonce);
        yield return Case("NonceStore_LongNonce", () => new DPoPNonceStore().SetNonce(new Uri("https://a.example/"), "secret" + new string('n', 3000)), "secret" + new string('n', 3000));

        var ec = DPoPKey.Generate();
        var pem = ec.PrivateKeyPem;
        var body = pem.Split('\n')[1];
        yield return Case("FromPem_Corrupted", () => DPoPKey.FromPem(pem.Replace(body[..20], "!!!!" + body[4..20], StringComparison.Ordinal)), body[20..40]);
        yield return Case("FromPem_WrongAlgorithm", () => DPoPKey.FromPem(pem, DPoPAlgorithms.ES384), body);
        yield return Case("FromPem_Truncated", () => DPoPKey.FromPem(pem[..(pem.Length / 2)]), body[..30]);
        var jwk = ec.ExportPrivateJwk();
        var d = JsonDocument.Parse(jwk).RootElement.GetProperty("d").GetString()!;
        yield return Case("FromJwk_BadD", () => DPoPKey.FromJwk(jwk.Replace(d, d[..^4] + "!!!!", StringComparison.Ordinal)), d[..^4]);
        yield return Case("FromJwk_WrongD", () => DPoPKey.FromJwk(jwk.Replace(d, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "AAAA", StringComparison.Ordinal)), "AAAA\"");
        yield return Case("FromJwk_Truncated", () => DPoPKey.FromJwk(jwk[..^10]), d);
        yield return Case("FromJwk_WrongAlgorithm", () => DPoPKey.FromJwk(jwk, DPoPAlgorithms.RS256), d);
        yield return Case("FromJwk_UnknownKty", () => DPoPKey.FromJwk(jwk.Replace("\"EC\"", "\"secret-kty\"", StringComparison.Ordinal)), d);
        yield return Case("FromEncryptedPem_WrongPassword", () => DPoPKey.FromEncryptedPem(
            ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportEncryptedPkcs8PrivateKeyPem("secret-password-1", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)),
            "secret-password-2"), "secret-password");

        static TestCaseData Case(string name, TestDelegate call, string secret) => new TestCaseData(call, secret).SetName("Exception_" + name);
    }

    [TestCaseSource(nameof(FailingCalls))]
    public void Exception_FromBadInput_NamesTheRule_NeverTheSecret(TestDelegate call, string secret)
    {
        var thrown = Assert.Catch(call);
        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.InstanceOf<ArgumentException>());
            Assert.That(thrown!.ToString(), Does.Not.Contain(secret));
        });
    }

    [TestCase("garbage secret-key-material-42", TestName = "OptionsValidation_GarbageInlineKey_MessageHasNoKey")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbC00Mg==\n-----END PRIVATE KEY-----", TestName = "OptionsValidation_BrokenPem_MessageHasNoKey")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"secret-key-material-42\"}", TestName = "OptionsValidation_BrokenJwk_MessageHasNoKey")]
    public void OptionsValidation_OfABadInlineKey_NamesThePropertyButNotTheKey(string privateKey)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP(o => o.PrivateKey = privateKey);
        using var provider = services.BuildServiceProvider();

        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get("api"));
        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("PrivateKey"));
            Assert.That(thrown.ToString(), Does.Not.Contain("secret-key-material-42").And.Not.Contain("c2VjcmV0LWtleS1tYXRlcmlhbC00Mg"));
        });
    }

    [Test]
    public void OptionsValidation_KeyOfTheWrongAlgorithm_MessageHasNoKey()
    {
        using var key = DPoPKey.Generate();
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP(o =>
        {
            o.PrivateKey = key.PrivateKeyPem;
            o.Algorithm = DPoPAlgorithms.RS256;
        });
        using var provider = services.BuildServiceProvider();

        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get("api"));
        var secrets = new Secrets();
        secrets.AddKey(key);
        Assert.That(secrets.FoundIn(thrown!.ToString()), Is.Empty);
    }

    [Test]
    public async Task Exceptions_FromTheHandler_HoldNoTokenOrKey()
    {
        using var key = DPoPKey.Generate();
        var secrets = new Secrets();
        secrets.AddKey(key);
        secrets.Add("secret token 99");
        var thrown = new List<Exception>();
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), o => o.PrivateKey = key.PrivateKeyPem, (_, b) => b.AddDPoPAccessTokenProvider<MalformedTokenProvider>());
        var client = host.CreateClient();
        thrown.Add(Assert.CatchAsync(async () => await client.GetAsync(new Uri("a", UriKind.Relative)))!);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "a"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "DPoP secret token 99");
            thrown.Add(Assert.CatchAsync(async () => await client.SendAsync(request))!);
        }

        thrown.Add(Assert.CatchAsync(async () => await client.GetAsync(new Uri("https://user:secret-password-99@a.example/")))!);
        secrets.Add("secret-password-99");

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.All.InstanceOf<InvalidOperationException>());
            foreach (var ex in thrown)
            {
                Assert.That(secrets.FoundIn(ex.ToString()), Is.Empty, ex.Message);
            }
        });
    }

    [TestCase(DPoPAlgorithms.ES256)]
    [TestCase(DPoPAlgorithms.ES512)]
    [TestCase(DPoPAlgorithms.PS256)]
    public async Task ToString_OfPublicTypes_ShowsNoSecrets(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var secrets = new Secrets();
        secrets.AddKey(key);
        secrets.Add(Token);
        secrets.Add("secret-nonce-store-value");
        var options = new DPoPClientOptions { PrivateKey = key.PrivateKeyPem, PrivateKeyPath = "/secret/path/key.pem", Algorithm = algorithm };
        secrets.Add(options.PrivateKey);
        var store = new DPoPNonceStore();
        store.SetNonce(new Uri("https://a.example/"), "secret-nonce-store-value");
        using var handler = new DPoPDelegatingHandler(key, options.Handler, store) { InnerHandler = new HttpClientHandler() };
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://a.example/").SetDPoPAccessToken(Token);
        var proof = DPoPProof.Create(key, HttpMethod.Get, new Uri("https://a.example/"), Token, "secret-nonce-store-value");
        secrets.AddProof(proof);
        var headers = DPoPHeaders.Build(proof, Token);
        await Task.CompletedTask;

        var shown = string.Join("\n", new object[] { key, options, store, handler, headers, key.PublicJwk }.Select(o => o.ToString()));
        Assert.Multiple(() =>
        {
            Assert.That(secrets.FoundIn(shown), Is.Empty, shown);
            Assert.That(key.ToString(), Does.Contain(key.JwkThumbprint).And.Contain(algorithm));
        });
    }

    public sealed class MalformedTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("secret token 99");
    }
}
