using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CsCheck;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// CsCheck generators of key text, URIs and header values for <see cref="KeyInputFuzzTests"/>: valid keys mutated the
/// ways configuration goes wrong (members removed, retyped, nulled; lone surrogates; truncated or corrupted base64;
/// wrong curves and OIDs; huge numbers and iteration counts; repeated BEGIN lines), and plain random text.
/// </summary>
internal static class KeyInputGenerators
{
    public static readonly DPoPKey[] Keys = [DPoPKey.Generate(DPoPAlgorithms.ES256), DPoPKey.Generate(DPoPAlgorithms.ES384), DPoPKey.Generate(DPoPAlgorithms.ES512), DPoPKey.Generate(DPoPAlgorithms.RS256)];

    private static readonly string[] KeyJwks = [.. Keys.Select(k => k.ExportPrivateJwk())];

    private static readonly string[] JwkMembers = ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "alg"];

    private static readonly Gen<string> Junk = Gen.Frequency(
        (4, Gen.Char["ABCDEFabcdef0123456789-_+/= {}[]\":,\\"].Array[0, 40].Select(c => new string(c))),
        (1, Gen.Char.Array[0, 40].Select(c => new string(c))),
        (1, Gen.OneOfConst("\ud800", "a\udc00b", "\u200d", "\0", "null", "P-256", "P-224", "secp256k1", "EC", "RSA", "oct", "OKP", "ES256", "HS256", "none")));

    private static readonly Gen<JsonNode?> JunkValue = Gen.OneOf(
        Gen.OneOfConst<JsonNode?>(null, JsonValue.Create(true), JsonValue.Create(0), JsonValue.Create(-1.5e300), JsonValue.Create(long.MaxValue)),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonArray()),
        Gen.Const(0).Select(_ => (JsonNode?)new JsonObject()),
        Junk.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Int[1, 100_000].Select(n => (JsonNode?)JsonValue.Create(new string('A', n))),
        Gen.Int[1, 4].Select(n => (JsonNode?)JsonValue.Create(string.Concat(Enumerable.Repeat("_w", n)) + "\ud800")));

    /// <summary>One change to a JWK object; applied one to four times.</summary>
    private static readonly Gen<Action<JsonObject>> JwkMutation = Gen.OneOf(
        Gen.OneOfConst(JwkMembers).Select(m => (Action<JsonObject>)(o => o.Remove(m))),
        Gen.Select(Gen.OneOfConst(JwkMembers), JunkValue, (m, v) => (Action<JsonObject>)(o => o[m] = v?.DeepClone())),
        Gen.Select(Gen.OneOfConst(JwkMembers), Gen.Int[0, 200], (m, cut) => (Action<JsonObject>)(o =>
        {
            if (o[m]?.GetValueKind() == System.Text.Json.JsonValueKind.String && o[m]!.GetValue<string>() is var v)
            {
                o[m] = v[..Math.Min(cut, v.Length)]; // truncated base64url
            }
        })),
        Gen.Select(Gen.OneOfConst(JwkMembers), Gen.Int[0, Keys.Length - 1], (m, k) => (Action<JsonObject>)(o => o[m] = JsonNode.Parse(KeyJwks[k])![m]?.DeepClone())),
        Gen.OneOfConst("P-256", "P-384", "P-521", "P-224", "secp256k1").Select(c => (Action<JsonObject>)(o => o["crv"] = c)),
        Gen.Int[1, 3_000].Select(n => (Action<JsonObject>)(o => o["n"] = "_" + new string('w', n)))); // huge modulus

    public static readonly Gen<string> MutatedJwk =
        from key in Gen.Int[0, Keys.Length - 1]
        from mutations in JwkMutation.Array[1, 4]
        from duplicate in Gen.Frequency((9, Gen.Const((string?)null)), (1, Gen.OneOfConst<string?>("d", "x", "kty", "n")))
        select Apply(KeyJwks[key], mutations, duplicate);

    public static readonly Gen<string> RandomJwkLike = Gen.OneOf(
        Junk,
        Gen.Select(Gen.OneOfConst(JwkMembers).Array[0, 6], JunkValue.Array[6], (names, values) =>
        {
            var o = new JsonObject();
            for (var i = 0; i < names.Length; i++)
            {
                o[names[i]] = values[i]?.DeepClone();
            }

            return o.ToJsonString();
        }),
        Gen.OneOfConst("null", "[]", "1", "\"x\"", "{", "{}", "{\"kty\":\"EC\"}", new string('[', 10_000), "{\"kty\":\"\\ud800\"}"));

    // ---- PEM -------------------------------------------------------------------------------------------------------

    private static readonly string[] PrivateLabels = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];

    /// <summary>Valid PEMs and near misses: every format, other curves, explicit parameters, public keys.</summary>
    public static readonly string[] BasePems = BuildBasePems();

    /// <summary>Every secret the generated text may hold: private JWK members and private PEM base64 lines, for the leak check.</summary>
    public static readonly string[] Secrets = [.. Keys.SelectMany(SecretsOf), .. BasePems.Where(p => p.Contains("PRIVATE", StringComparison.Ordinal)).SelectMany(Base64Lines)];

    private static readonly Gen<Func<string, string>> PemMutation = Gen.OneOf(
        Gen.OneOfConst([.. PrivateLabels, "PUBLIC KEY", "CERTIFICATE", "X"]).Select(label => (Func<string, string>)(p => Relabel(p, label))),
        Gen.Int[0, 2_000].Select(cut => (Func<string, string>)(p => p[..Math.Min(cut, p.Length)])),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte, (at, value) => (Func<string, string>)(p => CorruptDer(p, at, value))),
        Gen.Int[1, 3_000].Select(n => (Func<string, string>)(p => string.Concat(Enumerable.Repeat("-----BEGIN PRIVATE KEY-----\n", n)) + p)),
        Gen.OneOfConst<Func<string, string>>(p => p + p, p => p.Replace("\n", "\r\n", StringComparison.Ordinal), p => p.Replace("-----END", "-----FIN", StringComparison.Ordinal), p => "junk" + p, p => p.Replace("\n", " ", StringComparison.Ordinal), p => p.Insert(p.Length / 2, "\ud800")),
        Gen.OneOfConst(0L, -1L, 1L, 10_000_001L, int.MaxValue, 1L << 40).Select(n => (Func<string, string>)(p => p.Contains("ENCRYPTED", StringComparison.Ordinal) ? Iterations(p, n) : p)));

    public static readonly Gen<string> MutatedPem =
        from pem in Gen.OneOfConst(BasePems)
        from mutations in PemMutation.Array[0, 3]
        select mutations.Aggregate(pem, (p, m) => m(p));

    public static readonly Gen<string> Password = Gen.Frequency((4, Gen.Const("pw")), (2, Junk), (1, Gen.OneOfConst("", "\ud800", "p\u00e9w")));

    // ---- URIs, methods, tokens, nonces ------------------------------------------------------------------------------

    private static readonly Gen<char> HostChar = Gen.Frequency(
        (20, Gen.Char["abcxyz09-."]), (2, Gen.Char['\u00a0', '\u024f']), (2, Gen.OneOfConst('\u200c', '\u200d', '\u0300', '\u05d0', '\u0627', '\u0661', '\u00ad', '\ufeff', '%', '_', '[', ':')),
        (1, Gen.Char['\u0590', '\u06ff']), (1, Gen.Char['\u3000', '\u30ff']), (1, Gen.Char));

    public static readonly Gen<string> UriText =
        from scheme in Gen.OneOfConst("http://", "https://", "HTTP://", "ftp://", "", "//", "http:")
        from user in Gen.Frequency((9, Gen.Const(string.Empty)), (1, Gen.Const("u:p@")))
        from host in Gen.Frequency((6, HostChar.Array[0, 20].Select(c => new string(c))), (1, Gen.OneOfConst("xn--", "xn--a", "xn--zz", "[::1]", "[::1%eth0]", "127.0.0.1", "a..b", "-a-")))
        from port in Gen.OneOfConst("", ":0", ":8443", ":99999", ":")
        from path in Gen.Char.Array[0, 12].Select(c => "/" + new string(c))
        select scheme + user + host + port + path;

    public static readonly Gen<string> Method = Gen.Frequency((5, Gen.OneOfConst("GET", "post", "Patch", "X-CUSTOM", "get")), (2, Junk));

    public static readonly Gen<string?> Token = Gen.Frequency((3, Gen.Const((string?)null)), (3, Gen.Char['!', '~'].Array[1, 60].Select(c => (string?)new string(c))), (2, Junk.Select(s => (string?)s)));

    public static readonly Gen<string?> Nonce = Token;

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static string Apply(string json, Action<JsonObject>[] mutations, string? duplicate)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        foreach (var mutation in mutations)
        {
            mutation(o);
        }

        var text = o.ToJsonString();
        return duplicate is null || !o.ContainsKey(duplicate) ? text : text.Insert(1, $"\"{duplicate}\":\"AAAA\",");
    }

    private static IEnumerable<string> SecretsOf(DPoPKey key)
    {
        var jwk = JsonNode.Parse(key.ExportPrivateJwk())!.AsObject();
        foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi" })
        {
            if (jwk[member]?.GetValue<string>() is { } value)
            {
                yield return value;
            }
        }

    }

    private static IEnumerable<string> Base64Lines(string pem) => pem.Split('\n').Where(l => l.Length >= 32 && !l.StartsWith('-'));

    private static string[] BuildBasePems()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p224 = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        using var brainpool = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        using var explicitCurve = ECDsa.Create();
        explicitCurve.ImportParameters(p256.ExportExplicitParameters(includePrivateParameters: true));
        using var rsa = RSA.Create(2048);
        using var rsa1024 = RSA.Create(1024);
        var pbes2 = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000);
        var pkcs12 = new PbeParameters(PbeEncryptionAlgorithm.TripleDes3KeyPkcs12, HashAlgorithmName.SHA1, 1000);
        return
        [
            .. Keys.Select(k => k.PrivateKeyPem),
            p256.ExportECPrivateKeyPem(), rsa.ExportRSAPrivateKeyPem(), rsa.ExportPkcs8PrivateKeyPem(),
            p256.ExportEncryptedPkcs8PrivateKeyPem("pw", pbes2), rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", pbes2), p256.ExportEncryptedPkcs8PrivateKeyPem("pw", pkcs12),
            p224.ExportPkcs8PrivateKeyPem(), brainpool.ExportECPrivateKeyPem(), explicitCurve.ExportPkcs8PrivateKeyPem(), rsa1024.ExportPkcs8PrivateKeyPem(),
            p256.ExportSubjectPublicKeyInfoPem(), rsa.ExportRSAPublicKeyPem(),
            CorruptDer(p256.ExportPkcs8PrivateKeyPem(), 0, 0) , WithUnknownCurve(p256),
        ];
    }

    private static string WithUnknownCurve(ECDsa key)
    {
        var der = key.ExportPkcs8PrivateKey();
        byte[] p256 = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        der[der.AsSpan().IndexOf(p256) + 9] = 0x55;
        return PemEncoding.WriteString("PRIVATE KEY", der);
    }

    private static string Relabel(string pem, string label) =>
        PemEncoding.TryFind(pem, out var fields) ? pem.Replace(pem[fields.Label], label, StringComparison.Ordinal) : pem;

    private static string CorruptDer(string pem, int at, byte value)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            return pem;
        }

        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        der[at % der.Length] ^= (byte)(value | 1);
        return PemEncoding.WriteString(pem[fields.Label], der);
    }

    private static string Iterations(string pem, long count)
    {
        try
        {
            return EncryptedPemIterations.Rewrite(pem, count);
        }
        catch (Exception ex) when (ex is System.Formats.Asn1.AsnContentException or CryptographicException or FormatException or ArgumentException)
        {
            return pem; // an earlier mutation broke the structure
        }
    }

    public static string Escape(string value) =>
        value.Length > 120 ? $"({value.Length} chars) {Escape(value[..60])}…" : string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));

}
