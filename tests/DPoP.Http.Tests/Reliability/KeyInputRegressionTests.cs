using System.Security.Cryptography;
using System.Text;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// The reduced inputs of issue 22 (item 8): key text, JWKs and URIs that once escaped as undocumented exceptions
/// (NullReferenceException, JoseException, PlatformNotSupportedException, UriFormatException,
/// InvalidOperationException) or took unbounded time. Each is now refused with an <see cref="ArgumentException"/>
/// naming the parameter, quickly, and without quoting key material.
/// </summary>
public sealed class KeyInputRegressionTests
{
    private static readonly DPoPKey Key = DPoPKey.Generate();

    /// <summary>A guard against hangs, not a performance assertion: far above what the call needs.</summary>
    private static readonly TimeSpan DoesNotHang = TimeSpan.FromSeconds(10);

    // ---- FromJwk ---------------------------------------------------------------------------------------------------

    [TestCase("null", TestName = "FromJwk_JsonNull_ThrowsArgumentException")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":null,\"d\":\"AA\"}", TestName = "FromJwk_NullMember_ThrowsArgumentException")]
    [TestCase("{\"kty\":null}", TestName = "FromJwk_NullKty_ThrowsArgumentException")]
    [TestCase("{\"kty\":\"RSA\",\"n\":true,\"e\":\"AQAB\",\"d\":\"AA\"}", TestName = "FromJwk_BooleanMember_ThrowsArgumentException")]
    [TestCase("{\"kty\":1}", TestName = "FromJwk_NumericKty_ThrowsArgumentException")]
    [TestCase("{\"kty\":[\"EC\"]}", TestName = "FromJwk_ArrayKty_ThrowsArgumentException")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\",\"d\":{}}", TestName = "FromJwk_ObjectMember_ThrowsArgumentException")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"\\ud800\",\"y\":\"AA\",\"d\":\"AA\"}", TestName = "FromJwk_LoneSurrogateMember_ThrowsArgumentException")]
    [TestCase("{\"\\udc00\":\"x\",\"kty\":\"EC\"}", TestName = "FromJwk_LoneSurrogateName_ThrowsArgumentException")]
    public void FromJwk_ConfigurationControlledJunk_ThrowsArgumentExceptionNamingTheParameter(string json)
    {
        var thrown = Assert.Catch(() => DPoPKey.FromJwk(json));
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("privateJwkJson"), thrown?.ToString());
    }

    // Built at run time, and not test arguments: an attribute would carry U+FFFD, a test name breaks the test adapter.
    private static readonly string[] UnpairedSurrogateTexts = [new string('\ud800', 1), "a" + new string('\udc00', 1) + "b"];

    [Test]
    public void FromJwkAndComputeJwkThumbprint_UnpairedSurrogateText_ThrowArgumentException()
    {
        Assert.Multiple(() =>
        {
            foreach (var text in UnpairedSurrogateTexts)
            {
                var jwk = Assert.Catch(() => DPoPKey.FromJwk(text));
                Assert.That(jwk, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("privateJwkJson"), jwk?.ToString());
                var thumbprint = Assert.Catch(() => DPoPKey.ComputeJwkThumbprint(text));
                Assert.That(thumbprint, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("publicJwkJson"), thumbprint?.ToString());
            }
        });
    }

    [Test]
    public void FromJwk_UnsupportedAlgMember_ThrowsArgumentExceptionNamingTheJwkNotTheAlgorithmParameter()
    {
        var json = Key.ExportPrivateJwk().Replace("\"alg\":\"ES256\"", "\"alg\":\"HS256\"", StringComparison.Ordinal);
        Assert.That(json, Does.Contain("HS256"));

        var thrown = Assert.Catch(() => DPoPKey.FromJwk(json));

        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("privateJwkJson"), thrown?.ToString());
    }

    [TestCase("alg", "5")]
    [TestCase("kid", "{}")]
    [TestCase("key_ops", "5")]
    [TestCase("x5c", "\"not an array\"")]
    public void FromJwk_MemberItDoesNotNeedHasTheWrongType_StillImportsOrThrowsArgumentException(string member, string value)
    {
        var json = Key.ExportPrivateJwk().Replace("{", $"{{\"{member}\":{value},", StringComparison.Ordinal);
        try
        {
            using var imported = DPoPKey.FromJwk(json);
            Assert.That(imported.JwkThumbprint, Is.EqualTo(Key.JwkThumbprint));
        }
        catch (Exception ex)
        {
            Assert.That(ex, Is.TypeOf<ArgumentException>(), ex.ToString());
        }
    }

    [Test]
    public void FromJwk_WrongTypeMessage_NamesTheMemberNotTheValue()
    {
        var json = Key.ExportPrivateJwk();
        var d = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("d").GetString()!;
        var broken = json.Replace("\"y\":\"", "\"y\":[\"", StringComparison.Ordinal).Replace("\",\"d\"", "\"],\"d\"", StringComparison.Ordinal);

        var thrown = Assert.Throws<ArgumentException>(() => DPoPKey.FromJwk(broken));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("'y'"));
            Assert.That(thrown.Message, Does.Not.Contain(d));
            Assert.That(thrown.ToString(), Does.Not.Contain(d), "nor in an inner exception");
        });
    }

    // ---- ComputeJwkThumbprint --------------------------------------------------------------------------------------

    [TestCase("{\"kty\":\"EC\",\"crv\":\"\\ud800\",\"x\":\"a\",\"y\":\"b\"}", TestName = "ComputeJwkThumbprint_LoneSurrogateValue_ThrowsArgumentException")]
    [TestCase("{\"kty\":\"EC\",\"\\udfff\":\"P-256\",\"x\":\"a\",\"y\":\"b\"}", TestName = "ComputeJwkThumbprint_LoneSurrogateName_ThrowsArgumentException")]
    public void ComputeJwkThumbprint_LoneSurrogate_ThrowsArgumentException(string json)
    {
        var thrown = Assert.Catch(() => DPoPKey.ComputeJwkThumbprint(json));
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("publicJwkJson"), thrown?.ToString());
    }

    // ---- FromPem ---------------------------------------------------------------------------------------------------

    [TestCase("PRIVATE KEY", TestName = "FromPem_Pkcs8WithUnknownCurveOid_ThrowsArgumentException")]
    [TestCase("EC PRIVATE KEY", TestName = "FromPem_Sec1WithUnknownCurveOid_ThrowsArgumentException")]
    public void FromPem_UnknownCurveOid_ThrowsArgumentException(string label)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = label == "PRIVATE KEY" ? ecdsa.ExportPkcs8PrivateKey() : ecdsa.ExportECPrivateKey();
        byte[] p256 = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        der[der.AsSpan().IndexOf(p256) + 9] = 0x55; // 1.2.840.10045.3.1.85: a curve no platform knows

        var thrown = Assert.Catch(() => DPoPKey.FromPem(PemEncoding.WriteString(label, der)));

        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("pem"), thrown?.ToString());
    }

    [TestCase("-----BEGIN PRIVATE KEY-----\n", TestName = "FromPem_4MiBOfRepeatedPrivateKeyBeginLines_ReturnsQuickly")]
    [TestCase("-----BEGIN A-----\n", TestName = "FromPem_4MiBOfRepeatedOtherBeginLines_ReturnsQuickly")]
    public void FromPem_RepeatedBeginLines_ThrowsArgumentExceptionWithoutHanging(string line)
    {
        var text = new StringBuilder(4 << 20);
        while (text.Length < 4 << 20)
        {
            text.Append(line);
        }

        var pem = text.ToString();
        Exception? thrown = null;
        var finished = Task.Run(() => thrown = Assert.Catch(() => DPoPKey.FromPem(pem))).Wait(DoesNotHang);

        Assert.That(finished, Is.True, "FromPem scans its input in linear time");
        Assert.That(thrown, Is.TypeOf<ArgumentException>(), thrown?.ToString());
    }

    [Test]
    public void FromPem_KeyAfterManyUnterminatedBeginLines_IsFoundAndSigns()
    {
        var pem = string.Concat(Enumerable.Repeat("-----BEGIN PRIVATE KEY-----\n", 50_000)) + Key.PrivateKeyPem;
        DPoPKey? imported = null;
        var finished = Task.Run(() => imported = DPoPKey.FromPem(pem)).Wait(DoesNotHang);

        Assert.That(finished, Is.True, "FromPem scans its input in linear time");
        using (imported)
        {
            Assert.That(imported!.JwkThumbprint, Is.EqualTo(Key.JwkThumbprint));
        }
    }

    // ---- FromEncryptedPem ------------------------------------------------------------------------------------------

    [TestCase(PbeEncryptionAlgorithm.Aes256Cbc, 10_000_001L, TestName = "FromEncryptedPem_Pbes2JustAboveTheCap_ThrowsArgumentException")]
    [TestCase(PbeEncryptionAlgorithm.Aes128Cbc, int.MaxValue, TestName = "FromEncryptedPem_Pbes2IntMaxIterations_ThrowsArgumentException")]
    [TestCase(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, int.MaxValue, TestName = "FromEncryptedPem_Pkcs12PbeIntMaxIterations_ThrowsArgumentException")]
    public void FromEncryptedPem_IterationCountAboveTheCap_ThrowsBeforeDerivingAnything(PbeEncryptionAlgorithm encryption, long iterations)
    {
        var pem = EncryptedPemIterations.Rewrite(EncryptedPem(encryption), iterations);
        Exception? thrown = null;
        var finished = Task.Run(() => thrown = Assert.Catch(() => DPoPKey.FromEncryptedPem(pem, "wrong password"))).Wait(DoesNotHang);

        Assert.That(finished, Is.True, "the iteration count is checked before any key is derived");
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("pem"), thrown?.ToString());
        Assert.That(thrown!.Message, Does.Contain("10000000"));
    }

    [TestCase(PbeEncryptionAlgorithm.Aes256Cbc)]
    [TestCase(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12)]
    public void FromEncryptedPem_RsaKeyWithRightPassword_ImportsAndSigns(PbeEncryptionAlgorithm encryption)
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(encryption, HashFor(encryption), 1000));

        using var key = DPoPKey.FromEncryptedPem(pem, "pw");

        Assert.That(key.Algorithm, Is.EqualTo(DPoPAlgorithms.RS256));
        Assert.That(IndependentProofVerifier.Verify(DPoPProof.Create(key, "GET", "https://a.example/")).JwkJson, Does.Contain("\"n\""));
    }

    [Test]
    public void FromEncryptedPem_UnencryptedKey_ThrowsArgumentException()
    {
        var thrown = Assert.Catch(() => DPoPKey.FromEncryptedPem(Key.PrivateKeyPem, "pw"));
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("pem"), thrown?.ToString());
    }

    // ---- URIs whose IDN host System.Uri accepts but cannot convert -------------------------------------------------

    private static readonly string[] UnconvertibleIdnHosts = ["http://a\u200Db/", "http://\u0300a/", "https://x\u200D.example:8443/p?q"];

    [TestCaseSource(nameof(UnconvertibleIdnHosts))]
    public void Create_UriStringWithUnconvertibleIdnHost_ThrowsArgumentException(string uri)
    {
        var thrown = Assert.Catch(() => DPoPProof.Create(Key, "GET", uri));
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("uri"), thrown?.ToString());
    }

    [TestCaseSource(nameof(UnconvertibleIdnHosts))]
    public void Create_UriWithUnconvertibleIdnHost_ThrowsArgumentException(string uri)
    {
        var thrown = Assert.Catch(() => DPoPProof.Create(Key, HttpMethod.Get, new Uri(uri)));
        Assert.That(thrown, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("uri"), thrown?.ToString());
    }

    [TestCaseSource(nameof(UnconvertibleIdnHosts))]
    public void NonceStore_UriWithUnconvertibleIdnHost_ThrowsArgumentException(string uri)
    {
        var store = new DPoPNonceStore();
        Assert.Multiple(() =>
        {
            var set = Assert.Catch(() => store.SetNonce(new Uri(uri), "n"));
            Assert.That(set, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("requestUri"), set?.ToString());
            var get = Assert.Catch(() => store.GetNonce(new Uri(uri)));
            Assert.That(get, Is.TypeOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("requestUri"), get?.ToString());
        });
    }

    [TestCaseSource(nameof(UnconvertibleIdnHosts))]
    public void SendAsync_UriWithUnconvertibleIdnHost_ThrowsInvalidOperationExceptionBeforeSending(string uri)
    {
        var sent = 0;
        using var invoker = new HttpMessageInvoker(new DPoPDelegatingHandler(Key) { InnerHandler = new CountingHandler(() => sent++) });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri));

        Assert.That(async () => await invoker.SendAsync(request, CancellationToken.None), Throws.InvalidOperationException.With.Message.Contains("host"));
        Assert.That(sent, Is.Zero);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static string EncryptedPem(PbeEncryptionAlgorithm encryption)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(encryption, HashFor(encryption), 1000));
    }

    // PKCS#12 PBE is defined with SHA-1 only.
    private static HashAlgorithmName HashFor(PbeEncryptionAlgorithm encryption) =>
        encryption == PbeEncryptionAlgorithm.TripleDes3KeyPkcs12 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;

    private sealed class CountingHandler(Action onSend) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
