using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Bad input at every public entry point and through the handler: each is refused with the documented exception
/// (naming the parameter where there is one), before anything is sent, and nothing else escapes.
/// </summary>
public sealed class BadInputTests
{
    private static readonly DPoPKey Key = DPoPKey.Generate();
    private static readonly Uri Target = new("https://api.example.com/r");

    private static TestCaseData Bad(string name, TestDelegate call, Type exception, string? paramName = null) =>
        new TestCaseData(call, exception, paramName).SetName("BadInput_" + name);

    private static IEnumerable<TestCaseData> CoreCases()
    {
        var arg = typeof(ArgumentException);
        var argNull = typeof(ArgumentNullException);
        var range = typeof(ArgumentOutOfRangeException);

        yield return Bad("Proof_NullKey", () => DPoPProof.Create(null!, "GET", "https://a.example/"), argNull, "key");
        yield return Bad("Proof_NullMethod", () => DPoPProof.Create(Key, (string)null!, "https://a.example/"), argNull, "method");
        yield return Bad("Proof_EmptyMethod", () => DPoPProof.Create(Key, "", "https://a.example/"), arg, "method");
        yield return Bad("Proof_WhitespaceMethod", () => DPoPProof.Create(Key, "  ", "https://a.example/"), arg, "method");
        yield return Bad("Proof_MethodWithSpace", () => DPoPProof.Create(Key, "GE T", "https://a.example/"), arg, "method");
        yield return Bad("Proof_MethodNonAscii", () => DPoPProof.Create(Key, "G\u00c9T", "https://a.example/"), arg, "method");
        yield return Bad("Proof_MethodWithCrLf", () => DPoPProof.Create(Key, "GET\r\n", "https://a.example/"), arg, "method");
        yield return Bad("Proof_MethodWithQuote", () => DPoPProof.Create(Key, "GE\"T", "https://a.example/"), arg, "method");
        yield return Bad("Proof_NullUri", () => DPoPProof.Create(Key, "GET", (string)null!), argNull, "uri");
        yield return Bad("Proof_NullUriObject", () => DPoPProof.Create(Key, HttpMethod.Get, null!), argNull, "uri");
        yield return Bad("Proof_NullHttpMethod", () => DPoPProof.Create(Key, null!, Target), argNull, "method");
        yield return Bad("Proof_EmptyUri", () => DPoPProof.Create(Key, "GET", ""), arg, "uri");
        yield return Bad("Proof_WhitespaceUri", () => DPoPProof.Create(Key, "GET", "   "), arg, "uri");
        yield return Bad("Proof_RelativePath", () => DPoPProof.Create(Key, "GET", "/orders"), arg, "uri");
        yield return Bad("Proof_RelativeName", () => DPoPProof.Create(Key, "GET", "orders"), arg, "uri");
        yield return Bad("Proof_RelativeUriObject", () => DPoPProof.Create(Key, HttpMethod.Get, new Uri("/orders", UriKind.Relative)), arg, "uri");
        yield return Bad("Proof_Ftp", () => DPoPProof.Create(Key, "GET", "ftp://a.example/x"), arg, "uri");
        yield return Bad("Proof_File", () => DPoPProof.Create(Key, "GET", "file:///etc/passwd"), arg, "uri");
        yield return Bad("Proof_Mailto", () => DPoPProof.Create(Key, "GET", "mailto:a@b.example"), arg, "uri");
        yield return Bad("Proof_Urn", () => DPoPProof.Create(Key, "GET", "urn:isbn:0451450523"), arg, "uri");
        yield return Bad("Proof_Ws", () => DPoPProof.Create(Key, "GET", "wss://a.example/socket"), arg, "uri");
        yield return Bad("Proof_UserAndPassword", () => DPoPProof.Create(Key, "GET", "https://user:pw@a.example/"), arg, "uri");
        yield return Bad("Proof_UserOnly", () => DPoPProof.Create(Key, "GET", "https://user@a.example/"), arg, "uri");
        yield return Bad("Proof_NoHost", () => DPoPProof.Create(Key, "GET", "http://"), arg, "uri");
        yield return Bad("Proof_NotAUri", () => DPoPProof.Create(Key, "GET", "http://[not a uri"), arg, "uri");
        yield return Bad("Proof_EmptyToken", () => DPoPProof.Create(Key, "GET", "https://a.example/", accessToken: ""), arg, "accessToken");
        yield return Bad("Proof_TokenWithSpace", () => DPoPProof.Create(Key, "GET", "https://a.example/", accessToken: "a b"), arg, "accessToken");
        yield return Bad("Proof_TokenNonAscii", () => DPoPProof.Create(Key, "GET", "https://a.example/", accessToken: "t\u00f6ken"), arg, "accessToken");
        yield return Bad("Proof_TokenWithNewline", () => DPoPProof.Create(Key, "GET", "https://a.example/", accessToken: "tok\nen"), arg, "accessToken");
        yield return Bad("Proof_EmptyNonce", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: ""), arg, "nonce");
        yield return Bad("Proof_NonceWithSpace", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: "a b"), arg, "nonce");
        yield return Bad("Proof_NonceWithQuote", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: "a\"b"), arg, "nonce");
        yield return Bad("Proof_NonceWithBackslash", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: "a\\b"), arg, "nonce");
        yield return Bad("Proof_Nonce2049", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: new string('n', 2049)), arg, "nonce");
        yield return Bad("Proof_NonceNonAscii", () => DPoPProof.Create(Key, "GET", "https://a.example/", nonce: "\u00e9"), arg, "nonce");
        yield return Bad("Proof_NullTimeProvider", () => DPoPProof.Create(Key, HttpMethod.Get, Target, null, null, null!), argNull, "timeProvider");
        yield return Bad("Proof_DisposedKey", () => DPoPProof.Create(Disposed(), "GET", "https://a.example/"), typeof(ObjectDisposedException));
        yield return Bad("Ath_Null", () => DPoPProof.ComputeAth(null!), argNull, "accessToken");
        yield return Bad("Ath_Empty", () => DPoPProof.ComputeAth(""), arg, "accessToken");
        yield return Bad("Headers_NullProof", () => DPoPHeaders.Build(null!), argNull, "proof");
        yield return Bad("Headers_EmptyProof", () => DPoPHeaders.Build(""), arg, "proof");
        yield return Bad("Headers_TwoParts", () => DPoPHeaders.Build("a.b"), arg, "proof");
        yield return Bad("Headers_FourParts", () => DPoPHeaders.Build("a.b.c.d"), arg, "proof");
        yield return Bad("Headers_NotBase64Url", () => DPoPHeaders.Build("a+b.c/d.e="), arg, "proof");
        yield return Bad("Headers_HeaderInjection", () => DPoPHeaders.Build("a.b.c\r\nX-Evil: 1"), arg, "proof");
        yield return Bad("Headers_EmptyToken", () => DPoPHeaders.Build("a.b.c", ""), arg, "accessToken");
        yield return Bad("Key_Hs256", () => DPoPKey.Generate("HS256"), arg, "algorithm");
        yield return Bad("Key_None", () => DPoPKey.Generate("none"), arg, "algorithm");
        yield return Bad("Key_EmptyAlgorithm", () => DPoPKey.Generate(""), arg, "algorithm");
        yield return Bad("Key_NullAlgorithm", () => DPoPKey.Generate(null!), argNull, "algorithm");
        yield return Bad("Key_LowerCaseAlgorithm", () => DPoPKey.Generate("es256"), arg, "algorithm");
        yield return Bad("Key_EmptyPem", () => DPoPKey.FromPem(""), arg, "pem");
        yield return Bad("Key_GarbagePem", () => DPoPKey.FromPem("garbage"), arg, "pem");
        yield return Bad("Key_PublicOnlyPem", () => DPoPKey.FromPem(ECDsa.Create().ExportSubjectPublicKeyInfoPem()), arg, "pem");
        yield return Bad("Key_CertificateOnlyPem", () => DPoPKey.FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), arg, "pem");
        yield return Bad("Key_Rsa1024Pem", () => DPoPKey.FromPem(RSA.Create(1024).ExportPkcs8PrivateKeyPem()), arg, "pem");
        yield return Bad("Key_P256PemAsEs512", () => DPoPKey.FromPem(Key.PrivateKeyPem, DPoPAlgorithms.ES512), arg, "pem");
        yield return Bad("Key_EmptyJwk", () => DPoPKey.FromJwk(""), arg);
        yield return Bad("Key_JsonArrayJwk", () => DPoPKey.FromJwk("[]"), arg);
        yield return Bad("Key_EmptyObjectJwk", () => DPoPKey.FromJwk("{}"), arg);
        yield return Bad("Key_PublicOnlyJwk", () => DPoPKey.FromJwk(JsonSerializer.Serialize(Key.PublicJwk)), arg);
        yield return Bad("Key_OctJwk", () => DPoPKey.FromJwk("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"), arg);
        yield return Bad("Key_DeepJwk", () => DPoPKey.FromJwk(new string('[', 100_000)), arg);
        yield return Bad("Key_Rsa1024Object", () => DPoPKey.FromRsa(RSA.Create(1024)), arg, "key");
        yield return Bad("Key_RsaAsEs256", () => DPoPKey.FromRsa(RSA.Create(2048), DPoPAlgorithms.ES256), arg);
        yield return Bad("Key_NullEcdsa", () => DPoPKey.FromECDsa(null!), argNull, "key");
        yield return Bad("Key_P224", () => DPoPKey.FromECDsa(ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"))), arg, "key");
        yield return Bad("Key_EncryptedPemWithoutPassword", () => DPoPKey.FromPem(Key.PrivateKeyPem.Length > 0 ? ECDsa.Create().ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 10)) : ""), arg, "pem");
        yield return Bad("Thumbprint_EmptyJson", () => DPoPKey.ComputeJwkThumbprint("{}"), arg);
        yield return Bad("Thumbprint_NotJson", () => DPoPKey.ComputeJwkThumbprint("not json"), arg);
        yield return Bad("NonceStore_ZeroCapacity", () => _ = new DPoPNonceStore(0), range, "capacity");
        yield return Bad("NonceStore_ZeroLifetime", () => _ = new DPoPNonceStore(10, TimeSpan.Zero), range, "lifetime");
        yield return Bad("NonceStore_NegativeLifetime", () => _ = new DPoPNonceStore(10, TimeSpan.FromSeconds(-1)), range, "lifetime");
        yield return Bad("NonceStore_GetNullUri", () => new DPoPNonceStore().GetNonce(null!), argNull, "requestUri");
        yield return Bad("NonceStore_GetRelativeUri", () => new DPoPNonceStore().GetNonce(new Uri("/x", UriKind.Relative)), arg, "requestUri");
        yield return Bad("NonceStore_SetNullNonce", () => new DPoPNonceStore().SetNonce(Target, null!), argNull, "nonce");
        yield return Bad("NonceStore_SetBadNonce", () => new DPoPNonceStore().SetNonce(Target, "a b"), arg, "nonce");
        yield return Bad("NonceStore_SetRelativeUri", () => new DPoPNonceStore().SetNonce(new Uri("x", UriKind.Relative), "n"), arg, "requestUri");
        yield return Bad("SetToken_NullRequest", () => ((HttpRequestMessage)null!).SetDPoPAccessToken("t"), argNull, "request");
        yield return Bad("SetToken_Null", () => new HttpRequestMessage().SetDPoPAccessToken(null!), argNull, "accessToken");
        yield return Bad("SetToken_Empty", () => new HttpRequestMessage().SetDPoPAccessToken(""), arg, "accessToken");
        yield return Bad("SetToken_Space", () => new HttpRequestMessage().SetDPoPAccessToken("a b"), arg, "accessToken");
        yield return Bad("GetToken_NullRequest", () => ((HttpRequestMessage)null!).GetDPoPAccessToken(), argNull, "request");
        yield return Bad("Claims_Null", () => new HttpRequestMessage().SetDPoPProofClaims(null!), argNull, "claims");
        yield return Bad("Claims_ReservedJti", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["jti"] = "x" }), arg, "claims");
        yield return Bad("Claims_ReservedHtu", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["htu"] = "https://evil.example/" }), arg, "claims");
        yield return Bad("Claims_ReservedNonce", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["nonce"] = "x" }), arg, "claims");
        yield return Bad("Claims_EmptyName", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { [""] = 1 }), arg, "claims");
        yield return Bad("Claims_UnsupportedType", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["x"] = new object() }), arg, "claims");
        yield return Bad("Claims_NaN", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["x"] = double.NaN }), arg, "claims");
        yield return Bad("Claims_UndefinedJsonElement", () => new HttpRequestMessage().SetDPoPProofClaims(new Dictionary<string, object?> { ["x"] = default(JsonElement) }), arg, "claims");
        yield return Bad("Handler_NullKey", () => _ = new DPoPDelegatingHandler((DPoPKey)null!), argNull, "key");
        yield return Bad("AddDPoP_NullBuilder", () => DPoPHttpClientBuilderExtensions.AddDPoP(null!), argNull, "builder");
        yield return Bad("AddDPoP_NullConfiguration", () => new ServiceCollection().AddHttpClient("x").AddDPoP((Microsoft.Extensions.Configuration.IConfiguration)null!), argNull, "configuration");
    }

    public static int CoreCaseCount => CoreCases().Count();

    [TestCaseSource(nameof(CoreCases))]
    public void BadInput_IsRefusedWithTheDocumentedException(TestDelegate call, Type exception, string? paramName)
    {
        var thrown = Assert.Catch(call);
        Assert.That(thrown, Is.TypeOf(exception), thrown?.ToString());
        if (paramName is not null)
        {
            Assert.That(((ArgumentException)thrown!).ParamName, Is.EqualTo(paramName));
        }

        Assert.That(thrown!.Message, Is.Not.Empty);
    }

    [Test]
    public void Catalogue_HasAtLeastThirtyBadInputs() => Assert.That(CoreCaseCount + HandlerCaseCount, Is.GreaterThanOrEqualTo(30));

    // ---- through the handler ---------------------------------------------------------------------------------------

    private static TestCaseData BadRequest(string name, Func<HttpRequestMessage> request, Type exception, string messagePart) =>
        new TestCaseData(request, exception, messagePart).SetName("BadRequest_" + name);

    private static IEnumerable<TestCaseData> HandlerCases()
    {
        var invalid = typeof(InvalidOperationException);
        yield return BadRequest("NullUri", () => new HttpRequestMessage(HttpMethod.Get, (Uri?)null), invalid, "RequestUri");
        yield return BadRequest("RelativeUri", () => new HttpRequestMessage(HttpMethod.Get, new Uri("/x", UriKind.Relative)), invalid, "absolute");
        yield return BadRequest("FtpUri", () => new HttpRequestMessage(HttpMethod.Get, "ftp://a.example/x"), invalid, "http");
        yield return BadRequest("FileUri", () => new HttpRequestMessage(HttpMethod.Get, "file:///etc/passwd"), invalid, "http");
        yield return BadRequest("UserInfoUri", () => new HttpRequestMessage(HttpMethod.Get, "https://u:p@a.example/"), invalid, "user information");
        yield return BadRequest("DPoPAuthorizationWithoutToken", () => WithAuthorization("DPoP"), invalid, "access token");
        yield return BadRequest("DPoPAuthorizationWithSpaces", () => WithAuthorization("DPoP a b"), invalid, "access token");
        yield return BadRequest("DPoPAuthorizationNonAscii", () => WithAuthorization("DPoP t\u00f6ken"), invalid, "access token");
        yield return BadRequest("LowerCaseDpopAuthorizationWithoutToken", () => WithAuthorization("dpop "), invalid, "access token");
    }

    public static int HandlerCaseCount => HandlerCases().Count();

    private static HttpRequestMessage WithAuthorization(string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/x");
        Assert.That(request.Headers.TryAddWithoutValidation("Authorization", value), Is.True);
        return request;
    }

    [TestCaseSource(nameof(HandlerCases))]
    public void BadRequest_ThroughTheHandler_IsRefusedBeforeAnythingIsSent(Func<HttpRequestMessage> create, Type exception, string messagePart)
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => MockServer.Ok());
        using var invoker = new HttpMessageInvoker(new DPoPDelegatingHandler(Key) { InnerHandler = mock });
        using var request = create();

        Assert.Multiple(() =>
        {
            Assert.That(async () => await invoker.SendAsync(request, CancellationToken.None), Throws.TypeOf(exception).With.Message.Contains(messagePart));
            Assert.That(() => invoker.Send(request, CancellationToken.None), Throws.TypeOf(exception));
            Assert.That(seen, Is.Empty);
        });
    }

    [Test]
    public async Task TokenProviderReturningEmpty_IsRefused_NothingSent()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (_, b) => b.AddDPoPAccessTokenProvider<EmptyTokenProvider>());
        Assert.That(async () => await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative)), Throws.InvalidOperationException.With.Message.Contains("EmptyTokenProvider"));
        Assert.That(host.Requests, Is.Empty);
        await Task.CompletedTask;
    }

    [Test]
    public async Task NonceStoreReturningGarbage_IsIgnored_TheProofCarriesNoNonce()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddDPoPNonceStore<GarbageNonceStore>());
        using var response = await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative));
        Assert.That(host.Requests.Single().Verified.HasClaim("nonce"), Is.False);
    }

    [Test]
    public void NonceStoreThrowingOnRead_ExceptionPassesThrough_NothingSent()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddDPoPNonceStore<ThrowingNonceStore>());
        Assert.That(async () => await host.CreateClient().GetAsync(new Uri("read-fails", UriKind.Relative)), Throws.InstanceOf<IOException>().With.Message.EqualTo("nonce store down"));
        Assert.That(host.Requests, Is.Empty);
    }

    [Test]
    public void NonceStoreThrowingOnWrite_ExceptionPassesThrough_ResponseDisposed()
    {
        var tracker = new ResponseTracker();
        using var host = new DPoPTestHost((_, _) => MockServer.Ok("n-1"), services: (s, b) =>
        {
            s.AddDPoPNonceStore<ThrowingNonceStore>();
            b.AddHttpMessageHandler(tracker.CreateHandler);
        });

        Assert.That(async () => await host.CreateClient().GetAsync(new Uri("write-fails", UriKind.Relative)), Throws.InstanceOf<IOException>().With.Message.EqualTo("nonce store down"));
        Assert.Multiple(() =>
        {
            Assert.That(tracker.Responses, Has.Count.EqualTo(1));
            Assert.That(tracker.Undisposed(), Is.Empty, "the response whose nonce could not be stored is disposed");
        });
    }

    [Test]
    public void HandlerConstructor_WithInvalidOptions_ThrowsNamingEachProperty()
    {
        using var key = DPoPKey.Generate();
        var options = new DPoPHandlerOptions { MaxBufferedRequestBodySize = -1, ClockOffset = TimeSpan.FromHours(-2), MaxRedirects = -1 };

        var thrown = Assert.Throws<ArgumentException>(() => new DPoPDelegatingHandler(key, options).Dispose());

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.ParamName, Is.EqualTo("options"));
            Assert.That(thrown.Message, Does.Contain("MaxBufferedRequestBodySize must be between 0 and"));
            Assert.That(thrown.Message, Does.Contain("ClockOffset must be between -01:00:00 and 01:00:00"));
            Assert.That(thrown.Message, Does.Contain("MaxRedirects must be between 0 and"));
        });
    }

    [Test]
    public void InvalidOptions_EachNamedInTheValidationFailure()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP(o =>
        {
            o.Handler.MaxBufferedRequestBodySize = -1;
            o.NonceStoreCapacity = 0;
            o.NonceLifetime = TimeSpan.Zero;
            o.Handler.ClockOffset = TimeSpan.FromHours(2);
            o.Handler.MaxRedirects = -1;
            o.Algorithm = "HS256";
            o.KeyName = " ";
        });
        using var provider = services.BuildServiceProvider();

        var thrown = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get("api"));
        Assert.That(thrown!.Failures, Has.Exactly(7).Items);
        foreach (var property in new[] { "MaxBufferedRequestBodySize", "NonceStoreCapacity", "NonceLifetime", "ClockOffset", "MaxRedirects", "Algorithm", "KeyName" })
        {
            Assert.That(thrown.Message, Does.Contain(property));
        }
    }

    private static DPoPKey Disposed()
    {
        var key = DPoPKey.Generate();
        key.Dispose();
        return key;
    }

    public sealed class EmptyTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(string.Empty);
    }

    public sealed class GarbageNonceStore : IDPoPNonceStore
    {
        public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("not a \"nonce\"");

        public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    public sealed class ThrowingNonceStore : IDPoPNonceStore
    {
        public ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken) =>
            requestUri.AbsolutePath == "/read-fails" ? throw new IOException("nonce store down") : ValueTask.FromResult<string?>(null);

        public ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken) => throw new IOException("nonce store down");
    }
}
