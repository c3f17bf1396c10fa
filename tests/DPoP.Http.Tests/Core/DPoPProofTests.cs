using System.Collections.Concurrent;
using System.Security.Cryptography;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Core;

public sealed class DPoPProofTests
{
    private static readonly string[] AllAlgorithms = [.. DPoPAlgorithms.Supported];

    private static readonly Dictionary<string, DPoPKey> Keys = [];

    private static DPoPKey KeyFor(string algorithm)
    {
        lock (Keys)
        {
            if (!Keys.TryGetValue(algorithm, out var key))
            {
                Keys[algorithm] = key = DPoPKey.Generate(algorithm);
            }

            return key;
        }
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void Create_EveryAlgorithm_VerifiesWithIndependentVerifierAndHasExactHeaderAndClaims(string algorithm)
    {
        var key = KeyFor(algorithm);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        var proof = DPoPProof.Create(key, HttpMethod.Post, new Uri("https://Server.Example.com/token?x=1#frag"), null, null, time);

        var verified = IndependentProofVerifier.Verify(proof);
        Assert.Multiple(() =>
        {
            Assert.That(verified.HeaderString("typ"), Is.EqualTo("dpop+jwt"));
            Assert.That(verified.HeaderString("alg"), Is.EqualTo(algorithm));
            Assert.That(verified.JwkMembers, Is.EquivalentTo(algorithm.StartsWith("ES", StringComparison.Ordinal) ? ["kty", "crv", "x", "y"] : new[] { "kty", "n", "e" }));
            Assert.That(DPoPKey.ComputeJwkThumbprint(verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
            Assert.That(verified.ClaimNames, Is.EquivalentTo(new[] { "jti", "htm", "htu", "iat" }));
            Assert.That(verified.Claim("htm"), Is.EqualTo("POST"));
            Assert.That(verified.Claim("htu"), Is.EqualTo("https://server.example.com/token"));
            Assert.That(verified.IssuedAt, Is.EqualTo(1_700_000_000));
            Assert.That(Base64UrlEncoder.DecodeBytes(verified.Claim("jti")), Has.Length.EqualTo(16));
        });
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void Create_WithTokenAndNonce_AddsAthAndNonce(string algorithm)
    {
        var key = KeyFor(algorithm);
        const string token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

        var proof = DPoPProof.Create(key, "GET", "https://resource.example.org/protectedresource", token, "eyJ7S_zG.eyJH0-Z.HX4w-7v");

        var verified = IndependentProofVerifier.Verify(proof);
        Assert.Multiple(() =>
        {
            Assert.That(verified.Claim("ath"), Is.EqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
            Assert.That(verified.Claim("nonce"), Is.EqualTo("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
            Assert.That(verified.Claim("htm"), Is.EqualTo("GET"));
        });
    }

    [Test]
    public void ComputeAth_Rfc9449Example_MatchesPublishedValue()
    {
        // RFC 9449 §7.1, Figure 13 and the proof that follows it.
        Assert.That(DPoPProof.ComputeAth("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), Is.EqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"));
    }

    [Test]
    public void ComputeAth_LongToken_HashesAllAsciiBytes()
    {
        var token = new string('a', 5000);
        var expected = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)));
        Assert.That(DPoPProof.ComputeAth(token), Is.EqualTo(expected));
    }

    [Test]
    public void Create_UsesTimeProviderForIat()
    {
        var key = KeyFor(DPoPAlgorithms.ES256);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_234_567_890));
        var first = IndependentProofVerifier.Verify(DPoPProof.Create(key, HttpMethod.Get, new Uri("https://a.example/"), null, null, time));
        time.Advance(TimeSpan.FromSeconds(61.5));
        var second = IndependentProofVerifier.Verify(DPoPProof.Create(key, HttpMethod.Get, new Uri("https://a.example/"), null, null, time));

        Assert.That((first.IssuedAt, second.IssuedAt), Is.EqualTo((1_234_567_890L, 1_234_567_951L)));
    }

    [Test]
    public void Create_WithoutTimeProvider_UsesSystemClock()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var verified = IndependentProofVerifier.Verify(DPoPProof.Create(KeyFor(DPoPAlgorithms.ES256), "GET", "https://a.example/"));
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(verified.IssuedAt, Is.InRange(before, after));
    }

    [TestCase("HTTPS://SERVER.EXAMPLE.COM/Path", "https://server.example.com/Path", TestName = "Htu_UpperCaseSchemeAndHost_LowerCased_PathCaseKept")]
    [TestCase("http://example.com:80/a", "http://example.com/a", TestName = "Htu_DefaultHttpPort_Dropped")]
    [TestCase("https://example.com:443/a", "https://example.com/a", TestName = "Htu_DefaultHttpsPort_Dropped")]
    [TestCase("https://example.com:8443/a", "https://example.com:8443/a", TestName = "Htu_NonDefaultPort_Kept")]
    [TestCase("http://example.com:443/a", "http://example.com:443/a", TestName = "Htu_HttpsPortOnHttp_Kept")]
    [TestCase("https://example.com/a/b?query=1&x=2#fragment", "https://example.com/a/b", TestName = "Htu_QueryAndFragment_Removed")]
    [TestCase("https://example.com", "https://example.com/", TestName = "Htu_EmptyPath_IsSlash")]
    [TestCase("https://example.com/a%2Fb/c%20d/%E2%82%AC", "https://example.com/a%2Fb/c%20d/%E2%82%AC", TestName = "Htu_PercentEncodedPath_KeptAsSent")]
    [TestCase("https://example.com/caf\u00e9", "https://example.com/caf%C3%A9", TestName = "Htu_NonAsciiPath_PercentEncodedAsSent")]
    [TestCase("https://example.com/a/./b/../c", "https://example.com/a/c", TestName = "Htu_DotSegments_RemovedAsSent")]
    [TestCase("http://[::1]:8080/x", "http://[::1]:8080/x", TestName = "Htu_Ipv6Literal_Bracketed")]
    [TestCase("https://[2001:DB8::1]/x", "https://[2001:db8::1]/x", TestName = "Htu_Ipv6Literal_LowerCased")]
    [TestCase("http://127.0.0.1:5000/api", "http://127.0.0.1:5000/api", TestName = "Htu_Ipv4Literal_Kept")]
    [TestCase("https://B\u00fccher.Example/x", "https://xn--bcher-kva.example/x", TestName = "Htu_IdnHost_Punycode")]
    [TestCase("https://xn--bcher-kva.example/x", "https://xn--bcher-kva.example/x", TestName = "Htu_PunycodeHost_Kept")]
    public void Create_NormalizesHtu(string uri, string expectedHtu)
    {
        var key = KeyFor(DPoPAlgorithms.ES256);
        var fromString = IndependentProofVerifier.Verify(DPoPProof.Create(key, "GET", uri));
        var fromUri = IndependentProofVerifier.Verify(DPoPProof.Create(key, HttpMethod.Get, new Uri(uri)));

        Assert.Multiple(() =>
        {
            Assert.That(fromString.Claim("htu"), Is.EqualTo(expectedHtu));
            Assert.That(fromUri.Claim("htu"), Is.EqualTo(expectedHtu));
        });
    }

    [Test]
    public void Create_HtuPath_MatchesWhatHttpClientSendsOnTheWire()
    {
        // HttpClient writes uri.PathAndQuery as the request target; htu must carry the same path.
        var uri = new Uri("https://example.com/a%7eb/%c3%a9/x y?q");
        var verified = IndependentProofVerifier.Verify(DPoPProof.Create(KeyFor(DPoPAlgorithms.ES256), HttpMethod.Get, uri));
        Assert.That(verified.Claim("htu"), Is.EqualTo("https://example.com" + uri.PathAndQuery.Split('?')[0]));
    }

    [TestCase("GET", "GET")]
    [TestCase("PATCH", "PATCH")]
    [TestCase("get", "GET")]
    [TestCase("Post", "POST")]
    [TestCase("dElEtE", "DELETE")]
    [TestCase("patch", "PATCH")]
    [TestCase("options", "OPTIONS")]
    [TestCase("M-SEARCH", "M-SEARCH")]
    [TestCase("propfind", "propfind")]
    [TestCase("X!#$%&'*+.^_`|~1", "X!#$%&'*+.^_`|~1")]
    public void Create_Method_IsSignedAsTheTransportSendsIt(string method, string onTheWire)
    {
        var key = KeyFor(DPoPAlgorithms.ES256);
        var fromString = IndependentProofVerifier.Verify(DPoPProof.Create(key, method, "https://a.example/"));
        var fromHttpMethod = IndependentProofVerifier.Verify(DPoPProof.Create(key, new HttpMethod(method), new Uri("https://a.example/")));
        Assert.Multiple(() =>
        {
            Assert.That(fromString.Claim("htm"), Is.EqualTo(onTheWire));
            Assert.That(fromHttpMethod.Claim("htm"), Is.EqualTo(onTheWire));
        });
    }

    [Test]
    [Category("Slow")]
    public void Create_ManyThreadsOneKey_AllVerifyAndJtisAreUnique()
    {
        var key = KeyFor(DPoPAlgorithms.ES256);
        var jtis = new ConcurrentDictionary<string, byte>();
        var proofs = new ConcurrentBag<string>();
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            var proof = DPoPProof.Create(key, HttpMethod.Get, new Uri($"https://a.example/{i}"), "token-" + i, "nonce-" + i);
            proofs.Add(proof);
        });

        foreach (var proof in proofs)
        {
            var verified = IndependentProofVerifier.Verify(proof);
            Assert.That(jtis.TryAdd(verified.Claim("jti"), 0), Is.True, "duplicate jti");
            var i = verified.Claim("htu")["https://a.example/".Length..];
            Assert.That(verified.Claim("nonce"), Is.EqualTo("nonce-" + i));
            Assert.That(verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("token-" + i)));
        }

        Assert.That(jtis, Has.Count.EqualTo(4000));
    }

    [Test]
    public void Create_SameRequestTwice_DiffersInJti()
    {
        var key = KeyFor(DPoPAlgorithms.ES256);
        var a = IndependentProofVerifier.Verify(DPoPProof.Create(key, "GET", "https://a.example/"));
        var b = IndependentProofVerifier.Verify(DPoPProof.Create(key, "GET", "https://a.example/"));
        Assert.That(a.Claim("jti"), Is.Not.EqualTo(b.Claim("jti")));
    }

    [Test]
    public void Create_MaximumLengthNonceAndLongUri_Verifies()
    {
        var nonce = new string('n', 2048);
        var uri = "https://a.example/" + new string('p', 8000);
        var verified = IndependentProofVerifier.Verify(DPoPProof.Create(KeyFor(DPoPAlgorithms.RS256), "GET", uri, new string('t', 4000), nonce));
        Assert.That(verified.Claim("nonce"), Is.EqualTo(nonce));
    }

    [Test]
    public void Create_DisposedKey_ThrowsObjectDisposedException()
    {
        var key = DPoPKey.Generate();
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => DPoPProof.Create(key, "GET", "https://a.example/"));
    }
}
