namespace DPoP.Http.Tests.Core;

/// <summary>Every bad input to proof creation fails with the right exception type and parameter name, and never echoes secrets.</summary>
public sealed class DPoPProofValidationTests
{
    private static readonly DPoPKey Key = DPoPKey.Generate();

    [TestCase("", TestName = "Method_Empty")]
    [TestCase("   ", TestName = "Method_Whitespace")]
    [TestCase("GE T", TestName = "Method_InnerSpace")]
    [TestCase("GET\r\n", TestName = "Method_CrLf")]
    [TestCase("G\"ET", TestName = "Method_Quote")]
    [TestCase("G(ET)", TestName = "Method_Parenthesis")]
    [TestCase("GÉT", TestName = "Method_NonAscii")]
    public void Create_InvalidMethod_ThrowsArgumentExceptionNamingMethod(string method)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, method, "https://a.example/"));
        Assert.That(ex!.ParamName, Is.EqualTo("method"));
    }

    [Test]
    public void Create_NullMethod_ThrowsArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(Key, (string)null!, "https://a.example/"))!.ParamName, Is.EqualTo("method"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(Key, null!, new Uri("https://a.example/")))!.ParamName, Is.EqualTo("method"));
        });
    }

    [Test]
    public void Create_NullKeyOrUri_ThrowsArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(null!, "GET", "https://a.example/"))!.ParamName, Is.EqualTo("key"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(Key, "GET", (string)null!))!.ParamName, Is.EqualTo("uri"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(Key, HttpMethod.Get, null!))!.ParamName, Is.EqualTo("uri"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.Create(Key, HttpMethod.Get, new Uri("https://a.example/"), null, null, null!))!.ParamName, Is.EqualTo("timeProvider"));
        });
    }

    [TestCase("", "empty", TestName = "Uri_Empty")]
    [TestCase("  ", "empty", TestName = "Uri_Whitespace")]
    [TestCase("/relative/path", "absolute", TestName = "Uri_RelativePath")]
    [TestCase("relative", "absolute", TestName = "Uri_RelativeName")]
    [TestCase("ftp://example.com/file", "http or https", TestName = "Uri_FtpScheme")]
    [TestCase("file:///etc/passwd", "http or https", TestName = "Uri_FileScheme")]
    [TestCase("wss://example.com/socket", "http or https", TestName = "Uri_WebSocketScheme")]
    [TestCase("urn:isbn:0451450523", "http or https", TestName = "Uri_Urn")]
    [TestCase("https://user:secret@example.com/", "user information", TestName = "Uri_UserInfo")]
    [TestCase("https://user@example.com/", "user information", TestName = "Uri_UserOnly")]
    [TestCase("http://exa mple.com/", "well-formed", TestName = "Uri_Malformed")]
    public void Create_InvalidUri_ThrowsArgumentExceptionNamingUriAndRule(string uri, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, "GET", uri));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("uri"));
            Assert.That(ex.Message, Does.Contain(rule));
            Assert.That(ex.Message, Does.Not.Contain("secret"));
        });
    }

    [TestCase("/relative", TestName = "UriObject_Relative")]
    [TestCase("ftp://example.com/", TestName = "UriObject_Ftp")]
    [TestCase("https://u:p@example.com/", TestName = "UriObject_UserInfo")]
    public void Create_InvalidUriObject_ThrowsArgumentExceptionNamingUri(string uri)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, HttpMethod.Get, new Uri(uri, UriKind.RelativeOrAbsolute)));
        Assert.That(ex!.ParamName, Is.EqualTo("uri"));
    }

    [TestCase("", TestName = "AccessToken_Empty")]
    [TestCase("has space", TestName = "AccessToken_Space")]
    [TestCase("tok\u00e9n", TestName = "AccessToken_NonAscii")]
    [TestCase("line\nbreak", TestName = "AccessToken_NewLine")]
    public void Create_InvalidAccessToken_ThrowsArgumentExceptionNamingAccessToken(string token)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, "GET", "https://a.example/", token));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("accessToken"));
            if (token.Length > 0)
            {
                Assert.That(ex.Message, Does.Not.Contain(token));
            }
        });
    }

    [TestCase("", TestName = "ComputeAth_Empty")]
    [TestCase("a b", TestName = "ComputeAth_Space")]
    public void ComputeAth_InvalidToken_ThrowsArgumentExceptionNamingAccessToken(string token)
    {
        Assert.That(Assert.Throws<ArgumentException>(() => DPoPProof.ComputeAth(token))!.ParamName, Is.EqualTo("accessToken"));
    }

    [Test]
    public void ComputeAth_Null_ThrowsArgumentNullException()
    {
        Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPProof.ComputeAth(null!))!.ParamName, Is.EqualTo("accessToken"));
    }

    [TestCase("", TestName = "Nonce_Empty")]
    [TestCase("a b", TestName = "Nonce_Space")]
    [TestCase("a\"b", TestName = "Nonce_Quote")]
    [TestCase("a\\b", TestName = "Nonce_Backslash")]
    [TestCase("a\tb", TestName = "Nonce_Tab")]
    [TestCase("caf\u00e9", TestName = "Nonce_NonAscii")]
    [TestCase("a\u007f", TestName = "Nonce_Delete")]
    public void Create_NonceOutsideNqchar_ThrowsArgumentExceptionNamingNonce(string nonce)
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, "GET", "https://a.example/", null, nonce));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("nonce"));
            Assert.That(ex.Message, Does.Contain("NQCHAR"));
        });
    }

    [Test]
    public void Create_NonceTooLong_ThrowsArgumentExceptionNamingNonce()
    {
        var ex = Assert.Throws<ArgumentException>(() => DPoPProof.Create(Key, "GET", "https://a.example/", null, new string('n', 2049)));
        Assert.That(ex!.ParamName, Is.EqualTo("nonce"));
    }

    [Test]
    public void Create_NonceAtEdgesOfNqchar_IsAccepted()
    {
        // %x21, %x23-5B, %x5D-7E: the first and last of each range.
        const string nonce = "!#[]~";
        Assert.That(() => DPoPProof.Create(Key, "GET", "https://a.example/", null, nonce), Throws.Nothing);
    }
}
