using System.Text;
using CsCheck;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Property-based tests (CsCheck) of the three parsers and normalizers everything else rests on: <c>htu</c>
/// normalization, nonce validation and <c>WWW-Authenticate</c> parsing. Seeds are fixed so CI runs are repeatable;
/// CsCheck prints the seed of any failure, to replay it.
/// </summary>
[Category("Slow")]
public sealed class PropertyTests
{
    private const string Seed = "0N0XIzNsQ0O2";

    private static readonly DPoPKey Key = DPoPKey.Generate();

    // ---- htu ------------------------------------------------------------------------------------------------------

    private const string Unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
    private const string SubDelims = "!$&'()*+,;=";

    private static readonly Gen<string> Label =
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"], Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"].Array[0, 10], (first, rest) => first + new string(rest).TrimEnd('-'));

    private static readonly Gen<string> Host = Gen.OneOf(
        Label.Array[1, 4].Select(labels => string.Join('.', labels)),
        Gen.Int[0, 255].Array[4].Select(octets => string.Join('.', octets)),
        Gen.Int[0, 0xFFFF].Array[8].Select(groups => "[" + string.Join(':', groups.Select(g => g.ToString("x", System.Globalization.CultureInfo.InvariantCulture))) + "]"),
        Gen.OneOfConst("[::1]", "[::ffff:127.0.0.1]", "localhost", "LOCALHOST", "xn--bcher-kva.example", "b\u00fccher.example", "\u4f8b\u3048.\u30c6\u30b9\u30c8", "EXAMPLE.COM."));

    private static readonly Gen<string> PathSegment = Gen.OneOf(
        Gen.Char[Unreserved + SubDelims + ":@"].Array[0, 12].Select(c => new string(c)),
        Gen.Int[0, 255].Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[0, 255].Select(b => "%" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOfConst(".", "..", "", "caf\u00e9", "a b", "%20", "\u00e9t\u00e9", "[x]", "{y}", "a|b", "^", "`"));

    private static readonly Gen<string> HttpUri =
        from scheme in Gen.OneOfConst("http", "https", "HTTP", "HtTpS")
        from host in Host
        from port in Gen.OneOf(Gen.Const(string.Empty), Gen.OneOfConst(":80", ":443", ":"), Gen.Int[1, 65535].Select(p => ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        from segments in PathSegment.Array[0, 6]
        from query in Gen.OneOf(Gen.Const(string.Empty), Gen.Char[Unreserved + SubDelims + ":@/?%"].Array[0, 15].Select(q => "?" + new string(q)))
        from fragment in Gen.OneOf(Gen.Const(string.Empty), Gen.Char[Unreserved + SubDelims + ":@/?#"].Array[0, 10].Select(f => "#" + new string(f)))
        select $"{scheme}://{host}{port}{(segments.Length == 0 ? string.Empty : "/" + string.Join('/', segments))}{query}{fragment}";

    /// <summary>The normal form RFC 9449 §4.3 has servers compare, computed with System.Uri alone.</summary>
    internal static string ExpectedHtu(Uri uri)
    {
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var path = uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath;
        return $"{uri.Scheme.ToLowerInvariant()}://{host.ToLowerInvariant()}{port}{path}";
    }

    [Test]
    public void Htu_OfRandomHttpUris_NeverCrashes_HasNoQueryOrFragment_AndMatchesUriNormalization()
    {
        var parsed = 0;
        HttpUri.Sample(text =>
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                return; // not a URI .NET accepts: nothing to sign
            }

            parsed++;
            string proof;
            try
            {
                proof = DPoPProof.Create(Key, HttpMethod.Get, uri);
            }
            catch (ArgumentException ex)
            {
                // The only documented refusal for such URIs: characters htu could not carry unescaped.
                Assert.That(ex.Message, Does.Contain("htu"), text);
                return;
            }

            var htu = DPoPTargetUri.GetHtu(uri);
            Assert.Multiple(() =>
            {
                Assert.That(htu, Does.Not.Contain("?").And.Not.Contain("#"), text);
                Assert.That(htu, Is.EqualTo(ExpectedHtu(uri)), text);
                Assert.That(Uri.TryCreate(htu, UriKind.Absolute, out var reparsed), Is.True, text);
                Assert.That(DPoPTargetUri.GetHtu(reparsed!), Is.EqualTo(htu), "htu is a fixed point: " + text);
                Assert.That(Uri.Compare(reparsed, uri, UriComponents.Scheme | UriComponents.StrongPort | UriComponents.Path, UriFormat.UriEscaped, StringComparison.Ordinal), Is.Zero, text);
                Assert.That(reparsed!.IdnHost, Is.EqualTo(uri.IdnHost).IgnoreCase, text);
                Assert.That(htu.All(c => c is > ' ' and < '\u007f' and not '"' and not '\\'), Is.True, "htu is plain visible ASCII: " + htu);
                Assert.That(ProofPayloadString(proof, "htu"), Is.EqualTo(htu), text);
            });
        }, iter: 3_000, seed: Seed, threads: 1);

        Assert.That(parsed, Is.GreaterThan(1_000), "the generator makes mostly valid URIs");
    }

    [Test]
    public void Htu_OfRandomHttpUris_VerifiesIndependently()
    {
        HttpUri.Where(text => Uri.TryCreate(text, UriKind.Absolute, out _)).Sample(text =>
        {
            var uri = new Uri(text);
            var proof = DPoPProof.Create(Key, HttpMethod.Post, uri);
            var verified = IndependentProofVerifier.Verify(proof);
            Assert.Multiple(() =>
            {
                Assert.That(verified.Claim("htu"), Is.EqualTo(ExpectedHtu(uri)), text);
                Assert.That(verified.Claim("htm"), Is.EqualTo("POST"));
            });
        }, iter: 300, seed: Seed, threads: 1);
    }

    // ---- nonces ----------------------------------------------------------------------------------------------------

    /// <summary>RFC 9449 §8.1, written out here independently of the library: <c>1*NQCHAR</c>, at most 2048 long.</summary>
    internal static bool IsValidNonce(string value) =>
        value.Length is >= 1 and <= 2048 && value.All(c => c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E));

    private static readonly Gen<char> NonceChar = Gen.Frequency(
        (40, Gen.Char['\u0021', '\u007e']),
        (2, Gen.OneOfConst(' ', '"', '\\', '\t', '\u007f', '\0', '\r', '\n')),
        (1, Gen.Char['\u0080', '\u00ff']),
        (1, Gen.Char['\u0100', '\uffff']));

    private static readonly Gen<string> NonceCandidate = Gen.OneOf(
        NonceChar.Array[0, 40].Select(c => new string(c)),
        Gen.Select(Gen.Int[2040, 2060], Gen.Char['\u0023', '\u005b'], (length, c) => new string(c, length)),
        Gen.Select(NonceChar.Array[1, 5], Gen.Int[0, 2047], (bad, at) => new string('n', at) + new string(bad)));

    [Test]
    public void Nonce_RandomStrings_AcceptedIffOneOrMoreNQCharsUpTo2048_AndRoundTripIntoTheProof()
    {
        var accepted = 0;
        var refused = 0;
        NonceCandidate.Sample(nonce =>
        {
            var valid = IsValidNonce(nonce);
            string? proof = null;
            var thrown = Try(() => proof = DPoPProof.Create(Key, HttpMethod.Get, new Uri("https://as.example/token"), nonce: nonce));
            var store = new DPoPNonceStore();
            var storeThrew = Try(() => store.SetNonce(new Uri("https://as.example/"), nonce));
            Assert.Multiple(() =>
            {
                Assert.That(thrown, valid ? Is.Null : Is.InstanceOf<ArgumentException>(), Describe(nonce));
                Assert.That(storeThrew, valid ? Is.Null : Is.InstanceOf<ArgumentException>(), Describe(nonce));
            });
            if (valid)
            {
                accepted++;
                Assert.That(IndependentProofVerifier.Verify(proof!).Claim("nonce"), Is.EqualTo(nonce));
                Assert.That(store.GetNonce(new Uri("https://as.example/x")), Is.EqualTo(nonce));
            }
            else
            {
                refused++;
            }
        }, iter: 2_000, seed: Seed, threads: 1);

        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.GreaterThan(200), "valid nonces were tried");
            Assert.That(refused, Is.GreaterThan(200), "invalid nonces were tried");
        });
    }

    [Test]
    public void Nonce_FromAResponseHeader_IsKeptIffValid_AndSentInTheNextProof()
    {
        NonceCandidate.Where(n => n.IndexOfAny(['\r', '\n', '\0']) < 0 && n.Trim(' ', '\t').Length == n.Length).Sample(nonce =>
        {
            using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.Ok(nonce) : MockServer.Ok());
            var client = host.CreateClient();
            client.GetAsync(new Uri("a", UriKind.Relative)).GetAwaiter().GetResult().Dispose();
            client.GetAsync(new Uri("b", UriKind.Relative)).GetAwaiter().GetResult().Dispose();
            var second = host.Requests[1].Verified;
            Assert.That(second.HasClaim("nonce") ? second.Claim("nonce") : null, Is.EqualTo(IsValidNonce(nonce) ? nonce : null), Describe(nonce));
        }, iter: 150, seed: Seed, threads: 1);
    }

    // ---- WWW-Authenticate ------------------------------------------------------------------------------------------

    private const string TChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    private static readonly Gen<string> Token = Gen.Char[TChars].Array[1, 10].Select(c => new string(c));

    private static readonly Gen<string> Ows = Gen.OneOfConst(string.Empty, " ", "  ", "\t", " \t ");

    /// <summary>A quoted-string whose content may hold anything printable, escapes included, decoding to <paramref name="content"/>.</summary>
    private static Gen<string> Quoted(Gen<string> content) =>
        from text in content
        from escapeAll in Gen.Bool
        select "\"" + string.Concat(text.Select(c => c is '"' or '\\' || (escapeAll && c != ' ') ? "\\" + c : c.ToString())) + "\"";

    private static readonly Gen<string> AnyText = Gen.OneOf(
        Gen.Char[' ', '~'].Array[0, 20].Select(c => new string(c)),
        Gen.OneOfConst("DPoP error=\"use_dpop_nonce\"", "use_dpop_nonce", "a, DPoP error=use_dpop_nonce", "\\\"", "=,=", "Bearer"));

    private static readonly Gen<string> ParamValue = Gen.OneOf(Token, Quoted(AnyText), Gen.OneOfConst("DPoP", "use_dpop_nonce", "\"\""));

    private static readonly Gen<string> Param =
        from name in Gen.OneOf(Token, Gen.OneOfConst("realm", "error", "error_description", "algs", "scope"))
        from before in Ows
        from after in Ows
        from value in ParamValue
        select name + before + "=" + after + value;

    private static Gen<string> Params(Gen<string> param) =>
        from list in param.Array[0, 4]
        from separators in Gen.Select(Ows, Ows, (a, b) => a + "," + b).Array[3]
        select string.Concat(list.Select((p, i) => (i == 0 ? string.Empty : separators[i - 1]) + p));

    private static readonly Gen<string> OtherScheme = Gen.OneOf(Gen.OneOfConst("Bearer", "Basic", "Newauth", "DPoPX", "XDPoP", "D-PoP", "Digest"), Token)
        .Where(s => !string.Equals(s, "DPoP", StringComparison.OrdinalIgnoreCase));

    private static readonly Gen<string> Token68 =
        from body in Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/"].Array[1, 20]
        from padding in Gen.Int[0, 2]
        select new string(body) + new string('=', padding);

    /// <summary>Any challenge that is not a DPoP use_dpop_nonce demand, near misses included.</summary>
    private static readonly Gen<string> OtherChallenge = Gen.OneOf(
        OtherScheme,
        Gen.Select(OtherScheme, Token68, (s, t) => s + " " + t),
        Gen.Select(OtherScheme, Params(Param), (s, p) => s + " " + p),
        Gen.Select(Gen.OneOfConst("DPoP", "dpop", "DPOP"), Params(Param.Where(p => !p.StartsWith("error", StringComparison.OrdinalIgnoreCase))), (s, p) => s + " " + p),
        Gen.Select(Gen.OneOfConst("DPoP", "dpop"), Gen.OneOfConst("error=invalid_token", "error=\"invalid_dpop_proof\"", "error_description=\"use_dpop_nonce\"", "error=\"USE_DPOP_NONCE\"", "errors=use_dpop_nonce"), (s, p) => s + " " + p),
        Gen.Select(Gen.OneOfConst("Bearer", "Basic"), Gen.OneOfConst("error=use_dpop_nonce", "error=\"use_dpop_nonce\""), (s, p) => s + " " + p));

    /// <summary>The demand: scheme in any case, error in any case of its name, token or quoted (escaped or not), among other parameters.</summary>
    private static readonly Gen<string> NonceChallenge =
        from scheme in Gen.OneOfConst("DPoP", "dpop", "DPOP", "dPoP", "Dpop")
        from name in Gen.OneOfConst("error", "ERROR", "Error")
        from before in Ows
        from after in Ows
        from value in Gen.OneOf(Gen.Const("use_dpop_nonce"), Quoted(Gen.Const("use_dpop_nonce")))
        from others in Param.Where(p => !p.StartsWith("error", StringComparison.OrdinalIgnoreCase)).Array[0, 3]
        from position in Gen.Int[0, 3]
        select scheme + " " + string.Join(", ", others.Take(Math.Min(position, others.Length)).Append(name + before + "=" + after + value).Concat(others.Skip(Math.Min(position, others.Length))));

    /// <summary>Challenge lists, spread over one to three header values, with or without the demand.</summary>
    private static Gen<(string[] Values, bool HasDemand)> ChallengeLists(bool withDemand) =>
        from others in OtherChallenge.Array[0, 5]
        from demand in NonceChallenge
        from position in Gen.Int[0, 5]
        from separators in Gen.Select(Ows, Ows, Gen.Int[1, 2], (a, b, commas) => a + new string(',', commas) + b).Array[6]
        from split in Gen.Int[0, 6].Array[0, 2]
        select (Join(withDemand ? [.. others.Take(position), demand, .. others.Skip(position)] : others, separators, split), withDemand);

    private static string[] Join(string[] challenges, string[] separators, int[] splitAt)
    {
        var values = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < challenges.Length; i++)
        {
            if (i > 0 && splitAt.Contains(i) && current.Length > 0)
            {
                values.Add(current.ToString());
                current.Clear();
            }
            else if (i > 0)
            {
                current.Append(separators[i % separators.Length]);
            }

            current.Append(challenges[i]);
        }

        values.Add(current.ToString());
        return [.. values];
    }

    [Test]
    public void WwwAuthenticate_RandomStrings_NeverThrow()
    {
        var chars = Gen.Frequency((10, Gen.Char["DPoPdpopBearer error=\"use_dpop_nonce\",\\ \t=abc"]), (1, Gen.Char['\0', '\uffff']));
        chars.Array[0, 200].Select(c => new string(c)).Sample(value =>
        {
            Assert.That(() => WwwAuthenticateParser.Parse(value), Throws.Nothing);
            Assert.That(() => WwwAuthenticateParser.HasDPoPNonceChallenge([value, value]), Throws.Nothing);
        }, iter: 20_000, seed: Seed, threads: 1);
    }

    [Test]
    public void WwwAuthenticate_ValidListsWithTheDemand_AreAlwaysRecognized()
    {
        ChallengeLists(withDemand: true).Sample(list =>
            Assert.That(WwwAuthenticateParser.HasDPoPNonceChallenge(list.Values), Is.True, string.Join(" ⏎ ", list.Values)),
            iter: 5_000, seed: Seed, threads: 1);
    }

    [Test]
    public void WwwAuthenticate_ValidListsWithoutTheDemand_AreNeverRecognized()
    {
        ChallengeLists(withDemand: false).Sample(list =>
            Assert.That(WwwAuthenticateParser.HasDPoPNonceChallenge(list.Values), Is.False, string.Join(" ⏎ ", list.Values)),
            iter: 5_000, seed: Seed, threads: 1);
    }

    internal static Exception? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static string ProofPayloadString(string proof, string claim)
    {
        using var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(proof.Split('.')[1]));
        return payload.RootElement.GetProperty(claim).GetString()!;
    }

    private static string Describe(string value) =>
        value.Length > 60 ? $"({value.Length} chars) {Escape(value[..30])}…{Escape(value[^10..])}" : Escape(value);

    private static string Escape(string value) => string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
