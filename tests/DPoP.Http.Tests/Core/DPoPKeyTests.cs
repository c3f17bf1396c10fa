using System.Security.Cryptography;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Core;

public sealed class DPoPKeyTests
{
    private static readonly string[] AllAlgorithms = [.. DPoPAlgorithms.Supported];

    // RFC 7638 §3.1: the example RSA key and its thumbprint.
    private const string Rfc7638N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private const string Rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    [Test]
    public void ComputeJwkThumbprint_Rfc7638Example_MatchesPublishedValue()
    {
        var jwk = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = Rfc7638N, ["e"] = "AQAB", ["alg"] = "RS256", ["kid"] = "2011-04-29" };
        Assert.That(DPoPKey.ComputeJwkThumbprint(jwk), Is.EqualTo(Rfc7638Thumbprint));
    }

    [Test]
    public void ComputeJwkThumbprint_Rfc7638ExampleAsJson_MatchesPublishedValue()
    {
        var json = $$"""{ "kty": "RSA", "n": "{{Rfc7638N}}", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29" }""";
        Assert.That(DPoPKey.ComputeJwkThumbprint(json), Is.EqualTo(Rfc7638Thumbprint));
    }

    [Test]
    public void FromRsa_Rfc7638ExamplePublicKey_ThumbprintMatches_WhenImportedIntoAKey()
    {
        // The RFC example has no private part; use the thumbprint of a real key built from its modulus instead.
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(Rfc7638N), Exponent = [1, 0, 1] });
        var jwk = new Dictionary<string, string> { ["kty"] = "RSA", ["n"] = Rfc7638N, ["e"] = "AQAB" };
        Assert.That(DPoPKey.ComputeJwkThumbprint(jwk), Is.EqualTo(Rfc7638Thumbprint));
    }

    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"a\"}", "'y'", TestName = "Thumbprint_EcMissingY")]
    [TestCase("{\"kty\":\"RSA\",\"n\":\"a\"}", "'e'", TestName = "Thumbprint_RsaMissingE")]
    [TestCase("{\"kty\":\"oct\",\"k\":\"a\"}", "kty", TestName = "Thumbprint_SymmetricKey")]
    [TestCase("{\"crv\":\"P-256\"}", "kty", TestName = "Thumbprint_NoKty")]
    [TestCase("[1,2]", "JSON object", TestName = "Thumbprint_NotAnObject")]
    [TestCase("{not json", "JSON", TestName = "Thumbprint_NotJson")]
    public void ComputeJwkThumbprint_BadJwk_ThrowsArgumentException(string json, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.ComputeJwkThumbprint(json));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("publicJwkJson"));
            Assert.That(ex.Message, Does.Contain(rule));
        });
    }

    [Test]
    public void ComputeJwkThumbprint_OkpKey_UsesCrvKtyX()
    {
        // RFC 8037 Appendix A.3: the Ed25519 example key's thumbprint.
        var jwk = new Dictionary<string, string> { ["kty"] = "OKP", ["crv"] = "Ed25519", ["x"] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
        Assert.That(DPoPKey.ComputeJwkThumbprint(jwk), Is.EqualTo("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void Generate_EveryAlgorithm_HasAlgorithmPublicJwkAndThumbprint(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var ec = algorithm.StartsWith("ES", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo(algorithm));
            Assert.That(key.PublicJwk.Keys, Is.EqualTo(ec ? new[] { "kty", "crv", "x", "y" } : ["kty", "n", "e"]));
            Assert.That(key.PublicJwk["kty"], Is.EqualTo(ec ? "EC" : "RSA"));
            Assert.That(key.JwkThumbprint, Is.EqualTo(DPoPKey.ComputeJwkThumbprint(key.PublicJwk)));
            Assert.That(key.JwkThumbprint, Has.Length.EqualTo(43));
        });
        if (ec)
        {
            var expectedCurve = algorithm switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" };
            var coordinateBytes = algorithm switch { "ES256" => 32, "ES384" => 48, _ => 66 };
            Assert.Multiple(() =>
            {
                Assert.That(key.PublicJwk["crv"], Is.EqualTo(expectedCurve));
                Assert.That(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(key.PublicJwk["x"]), Has.Length.EqualTo(coordinateBytes));
                Assert.That(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(key.PublicJwk["y"]), Has.Length.EqualTo(coordinateBytes));
            });
        }
        else
        {
            Assert.Multiple(() =>
            {
                Assert.That(key.PublicJwk["e"], Is.EqualTo("AQAB"));
                Assert.That(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(key.PublicJwk["n"]), Has.Length.EqualTo(256));
            });
        }
    }

    [Test]
    public void Generate_Default_IsES256()
    {
        using var key = DPoPKey.Generate();
        Assert.That(key.Algorithm, Is.EqualTo("ES256"));
    }

    [Test]
    public void Generate_TwoKeys_HaveDifferentThumbprints()
    {
        using var a = DPoPKey.Generate();
        using var b = DPoPKey.Generate();
        Assert.That(a.JwkThumbprint, Is.Not.EqualTo(b.JwkThumbprint));
    }

    [TestCase("HS256", TestName = "Generate_Hmac")]
    [TestCase("none", TestName = "Generate_None")]
    [TestCase("es256", TestName = "Generate_WrongCase")]
    [TestCase("EdDSA", TestName = "Generate_EdDsa")]
    [TestCase("", TestName = "Generate_Empty")]
    public void Generate_UnsupportedAlgorithm_ThrowsArgumentExceptionListingSupported(string algorithm)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.Generate(algorithm));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("algorithm"));
            Assert.That(ex.Message, Does.Contain("ES256, ES384, ES512, RS256"));
        });
    }

    [Test]
    public void Generate_Null_ThrowsArgumentNullException()
    {
        Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPKey.Generate(null!))!.ParamName, Is.EqualTo("algorithm"));
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void PrivateKeyPem_RoundTrip_KeepsThumbprintAndSigns(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var pem = key.PrivateKeyPem;
        using var imported = DPoPKey.FromPem(pem, algorithm);

        Assert.Multiple(() =>
        {
            Assert.That(pem, Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(imported.JwkThumbprint, Is.EqualTo(key.JwkThumbprint));
            Assert.That(imported.Algorithm, Is.EqualTo(algorithm));
        });
        IndependentProofVerifier.Verify(DPoPProof.Create(imported, "GET", "https://a.example/"));
    }

    [TestCase("ES256", "ES256")]
    [TestCase("ES384", "ES384")]
    [TestCase("ES512", "ES512")]
    [TestCase("PS256", "RS256")]
    public void FromPem_WithoutAlgorithm_InfersFromKey(string generated, string inferred)
    {
        using var key = DPoPKey.Generate(generated);
        using var imported = DPoPKey.FromPem(key.PrivateKeyPem);
        Assert.That(imported.Algorithm, Is.EqualTo(inferred));
    }

    [Test]
    public void FromPem_Sec1EcPrivateKey_IsImported()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var key = DPoPKey.FromPem(ecdsa.ExportECPrivateKeyPem());
        Assert.That(key.Algorithm, Is.EqualTo("ES384"));
    }

    [Test]
    public void FromPem_Pkcs1RsaPrivateKeyAfterACertificateBlock_IsImported()
    {
        using var rsa = RSA.Create(2048);
        var pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + rsa.ExportRSAPrivateKeyPem();
        using var key = DPoPKey.FromPem(pem, "PS256");
        Assert.That(key.Algorithm, Is.EqualTo("PS256"));
    }

    [Test]
    public void FromEncryptedPem_RoundTrip_KeepsThumbprint_AndWrongPasswordIsRefused()
    {
        using var key = DPoPKey.Generate();
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.PrivateKeyPem);
        var encrypted = ecdsa.ExportEncryptedPkcs8PrivateKeyPem("correct horse", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));

        using var imported = DPoPKey.FromEncryptedPem(encrypted, "correct horse");
        var wrong = Assert.Throws<ArgumentException>(() => DPoPKey.FromEncryptedPem(encrypted, "battery staple"));
        var withoutPassword = Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(encrypted));
        Assert.Multiple(() =>
        {
            Assert.That(imported.JwkThumbprint, Is.EqualTo(key.JwkThumbprint));
            Assert.That(wrong!.ParamName, Is.EqualTo("pem"));
            Assert.That(withoutPassword!.Message, Does.Contain("FromEncryptedPem"));
        });
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void ExportPrivateJwk_RoundTrip_KeepsThumbprintAndAlgorithm(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var json = key.ExportPrivateJwk();
        using var imported = DPoPKey.FromJwk(json);

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(doc.RootElement.TryGetProperty("d", out _), Is.True);
            Assert.That(doc.RootElement.GetProperty("alg").GetString(), Is.EqualTo(algorithm));
            Assert.That(imported.JwkThumbprint, Is.EqualTo(key.JwkThumbprint));
            Assert.That(imported.Algorithm, Is.EqualTo(algorithm));
        });
        IndependentProofVerifier.Verify(DPoPProof.Create(imported, "GET", "https://a.example/"));
    }

    [Test]
    public void FromPem_PublicKeyOnly_IsRefused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(ecdsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("pem"));
            Assert.That(ex.Message, Does.Contain("public key"));
        });
    }

    [Test]
    public void FromJwk_PublicKeyOnly_IsRefused()
    {
        using var key = DPoPKey.Generate();
        var publicJson = System.Text.Json.JsonSerializer.Serialize(key.PublicJwk);
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromJwk(publicJson));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("privateJwkJson"));
            Assert.That(ex.Message, Does.Contain("public key"));
        });
    }

    [TestCase("", "empty", TestName = "Pem_Empty")]
    [TestCase("hello", "not PEM", TestName = "Pem_NotPem")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----", "malformed", TestName = "Pem_GarbageDer")]
    [TestCase("-----BEGIN EC PRIVATE KEY-----\nAAAAAAAA\n-----END EC PRIVATE KEY-----", "malformed", TestName = "Pem_GarbageSec1")]
    [TestCase("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "public key", TestName = "Pem_CertificateOnly")]
    [TestCase("-----BEGIN FOO-----\nAAAA\n-----END FOO-----", "no private key", TestName = "Pem_UnknownLabel")]
    public void FromPem_Malformed_ThrowsArgumentExceptionNamingPem(string pem, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(pem));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("pem"));
            Assert.That(ex.Message, Does.Contain(rule));
        });
    }

    [TestCase("", "empty", TestName = "Jwk_Empty")]
    [TestCase("{not json", "JSON", TestName = "Jwk_NotJson")]
    [TestCase("{\"kty\":\"oct\",\"k\":\"AAAA\"}", "EC or RSA", TestName = "Jwk_Symmetric")]
    [TestCase("{\"crv\":\"P-256\"}", "kty", TestName = "Jwk_NoKty")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"d\":\"AAAA\"}", "'y'", TestName = "Jwk_EcMissingY")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AAAA\",\"y\":\"AAAA\",\"d\":\"AAAA\"}", "P-256, P-384 or P-521", TestName = "Jwk_UnsupportedCurve")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\",\"d\":\"AAAA\"}", "malformed", TestName = "Jwk_WrongCoordinateLengths")]
    [TestCase("{\"kty\":\"RSA\",\"e\":\"AQAB\",\"d\":\"AAAA\"}", "'n'", TestName = "Jwk_RsaMissingN")]
    public void FromJwk_Malformed_ThrowsArgumentExceptionNamingJwk(string json, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromJwk(json));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("privateJwkJson"));
            Assert.That(ex.Message, Does.Contain(rule));
        });
    }

    [TestCase("ES256", "ES384", TestName = "Mismatch_P256AsES384")]
    [TestCase("ES384", "ES512", TestName = "Mismatch_P384AsES512")]
    [TestCase("ES256", "RS256", TestName = "Mismatch_EcAsRS256")]
    [TestCase("RS256", "ES256", TestName = "Mismatch_RsaAsES256")]
    public void FromPem_KeyDoesNotFitAlgorithm_ThrowsArgumentException(string generated, string requested)
    {
        using var key = DPoPKey.Generate(generated);
        var pem = key.PrivateKeyPem;
        var jwk = key.ExportPrivateJwk();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(pem, requested))!.Message, Does.Contain(requested));
            Assert.That(Assert.Throws<ArgumentException>(() => DPoPKey.FromJwk(jwk, requested))!.Message, Does.Contain(requested));
        });
    }

    [Test]
    public void FromRsa_1024BitKey_IsRefused()
    {
        using var rsa = RSA.Create(1024);
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromRsa(rsa));
        var fromPem = Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(rsa.ExportPkcs8PrivateKeyPem()));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("key"));
            Assert.That(ex.Message, Does.Contain("2048"));
            Assert.That(fromPem!.ParamName, Is.EqualTo("pem"));
        });
    }

    [Test]
    public void FromECDsa_Secp256k1_IsRefused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromECDsa(ecdsa));
        Assert.That(ex!.Message, Does.Contain("P-256, P-384 or P-521"));
    }

    [Test]
    public void FromECDsa_DoesNotOwnTheInstance()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var key = DPoPKey.FromECDsa(ecdsa);
        key.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(key.Algorithm, Is.EqualTo("ES512"));
            Assert.That(() => ecdsa.SignData([1, 2, 3], HashAlgorithmName.SHA512), Throws.Nothing);
            Assert.That(() => key.PrivateKeyPem, Throws.TypeOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void FromRsa_PS256_SignsVerifiableProofs()
    {
        using var rsa = RSA.Create(3072);
        using var key = DPoPKey.FromRsa(rsa, DPoPAlgorithms.PS256);
        var verified = IndependentProofVerifier.Verify(DPoPProof.Create(key, "GET", "https://a.example/"));
        Assert.That(verified.HeaderString("alg"), Is.EqualTo("PS256"));
    }

    [Test]
    public void NonExportableKey_SignsThroughTheAlgorithmObject_AndOnlyExportThrows()
    {
        using var hsm = new NonExportableECDsa();
        using var key = DPoPKey.FromECDsa(hsm);

        var verified = IndependentProofVerifier.Verify(DPoPProof.Create(key, "POST", "https://a.example/token"));
        Assert.Multiple(() =>
        {
            Assert.That(hsm.SignCalls, Is.EqualTo(1));
            Assert.That(verified.HeaderString("alg"), Is.EqualTo("ES256"));
            Assert.That(key.JwkThumbprint, Has.Length.EqualTo(43));
            Assert.That(() => key.PrivateKeyPem, Throws.InvalidOperationException.With.Message.Contains("not exportable"));
            Assert.That(() => key.ExportPrivateJwk(), Throws.InvalidOperationException.With.Message.Contains("not exportable"));
        });
    }

    [TestCaseSource(nameof(AllAlgorithms))]
    public void ToString_ShowsAlgorithmAndThumbprint_NeverPrivateMaterial(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);
        var text = key.ToString();
        using var doc = System.Text.Json.JsonDocument.Parse(key.ExportPrivateJwk());
        var d = doc.RootElement.GetProperty("d").GetString()!;
        var pemBody = key.PrivateKeyPem.Split('\n')[1];

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain(algorithm).And.Contain(key.JwkThumbprint));
            Assert.That(text, Does.Not.Contain(d).And.Not.Contain(pemBody));
            foreach (var value in key.PublicJwk.Values)
            {
                Assert.That(value, Does.Not.Contain(d));
            }
        });
    }

    [Test]
    public void PublicJwk_CannotBeModified()
    {
        using var key = DPoPKey.Generate();
        var asDictionary = key.PublicJwk as IDictionary<string, string>;
        Assert.That(() => asDictionary!["d"] = "x", Throws.TypeOf<NotSupportedException>());
    }

    [Test]
    public void ImportErrors_NeverQuoteKeyMaterial()
    {
        using var key = DPoPKey.Generate();
        var jwk = key.ExportPrivateJwk();
        using var doc = System.Text.Json.JsonDocument.Parse(jwk);
        var d = doc.RootElement.GetProperty("d").GetString()!;
        var broken = jwk.Replace("\"kty\":\"EC\"", "\"kty\":\"XX\"", StringComparison.Ordinal);
        var ex = Assert.Throws<ArgumentException>(() => DPoPKey.FromJwk(broken));
        var pemEx = Assert.Throws<ArgumentException>(() => DPoPKey.FromPem(key.PrivateKeyPem, "RS256"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ToString(), Does.Not.Contain(d));
            Assert.That(pemEx!.ToString(), Does.Not.Contain(key.PrivateKeyPem.Split('\n')[1]));
        });
    }
}
