namespace DPoP.Http.Tests.Http;

public sealed class WwwAuthenticateParserTests
{
    [TestCase("DPoP error=\"use_dpop_nonce\"", TestName = "Nonce_QuotedError")]
    [TestCase("DPoP error=use_dpop_nonce", TestName = "Nonce_TokenError")]
    [TestCase("dpop ERROR=\"use_dpop_nonce\"", TestName = "Nonce_SchemeAndParamNameAnyCase")]
    [TestCase("DPoP error = \"use_dpop_nonce\"", TestName = "Nonce_BadWhitespaceAroundEquals")]
    [TestCase("DPoP algs=\"ES256 PS256\", error=\"use_dpop_nonce\", error_description=\"a, b\"", TestName = "Nonce_AfterAlgsAndBeforeCommaInQuotes")]
    [TestCase("Bearer realm=\"x\", DPoP error=\"use_dpop_nonce\"", TestName = "Nonce_SecondChallenge")]
    [TestCase("Bearer, DPoP error=\"use_dpop_nonce\"", TestName = "Nonce_AfterEmptyBearer")]
    [TestCase("Basic YWxhZGRpbjpvcGVuc2VzYW1l==, DPoP error=\"use_dpop_nonce\"", TestName = "Nonce_AfterToken68")]
    [TestCase("DPoP error=\"use\\_dpop\\_nonce\"", TestName = "Nonce_EscapedQuotedString")]
    [TestCase(",, DPoP  error=\"use_dpop_nonce\" ,", TestName = "Nonce_EmptyListElements")]
    public void HasDPoPNonceChallenge_Recognizes(string header)
    {
        Assert.That(WwwAuthenticateParser.HasDPoPNonceChallenge([header]), Is.True);
    }

    [TestCase("Bearer error=\"use_dpop_nonce\"", TestName = "NotNonce_BearerScheme")]
    [TestCase("DPoP error=\"invalid_token\"", TestName = "NotNonce_OtherError")]
    [TestCase("DPoP error_description=\"use_dpop_nonce\"", TestName = "NotNonce_OnlyInDescription")]
    [TestCase("DPoP realm=\"error=use_dpop_nonce\"", TestName = "NotNonce_InsideQuotedValue")]
    [TestCase("DPoPX error=\"use_dpop_nonce\"", TestName = "NotNonce_LongerScheme")]
    [TestCase("DPoP error=\"use_dpop_nonce", TestName = "NotNonce_Unterminated")]
    [TestCase("", TestName = "NotNonce_Empty")]
    [TestCase("\"DPoP\" error=\"use_dpop_nonce\"", TestName = "NotNonce_QuotedScheme")]
    [TestCase("DPoP=error", TestName = "NotNonce_Garbage")]
    [TestCase("DPoP error=\"USE_DPOP_NONCE\"", TestName = "NotNonce_ErrorCodeIsCaseSensitive")]
    public void HasDPoPNonceChallenge_Rejects(string header)
    {
        Assert.That(WwwAuthenticateParser.HasDPoPNonceChallenge([header]), Is.False);
    }

    [Test]
    public void HasDPoPNonceChallenge_AcrossSeveralHeaderValues()
    {
        Assert.That(WwwAuthenticateParser.HasDPoPNonceChallenge(["Bearer realm=\"x\"", "DPoP error=\"use_dpop_nonce\""]), Is.True);
    }

    [Test]
    public void Parse_ReadsSchemesParametersAndToken68()
    {
        var challenges = WwwAuthenticateParser.Parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\", Negotiate abc+/def==");
        Assert.Multiple(() =>
        {
            Assert.That(challenges.Select(c => c.Scheme), Is.EqualTo(new[] { "Newauth", "Basic", "Negotiate" }));
            Assert.That(challenges[0].Parameters["realm"], Is.EqualTo("apps"));
            Assert.That(challenges[0].Parameters["TYPE"], Is.EqualTo("1"));
            Assert.That(challenges[0].Parameters["title"], Is.EqualTo("Login to \"apps\""));
            Assert.That(challenges[1].Parameters["realm"], Is.EqualTo("simple"));
            Assert.That(challenges[2].Token68, Is.EqualTo("abc+/def=="));
        });
    }

    [Test]
    public void Parse_RandomInput_NeverThrows()
    {
        var random = new Random(9449);
        const string alphabet = "DPoPBearer error=\"use_dpop_nonce\",\\ \t=abc";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 60)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(10) == 0 ? (char)random.Next(0, 0x250) : alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            Assert.That(() => WwwAuthenticateParser.Parse(text), Throws.Nothing, text);
        }
    }
}
