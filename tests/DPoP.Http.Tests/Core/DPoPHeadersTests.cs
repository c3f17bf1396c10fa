namespace DPoP.Http.Tests.Core;

public sealed class DPoPHeadersTests
{
    private static readonly string Proof = DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/");

    [Test]
    public void Build_WithoutToken_HasOnlyDPoPHeader()
    {
        var headers = DPoPHeaders.Build(Proof);
        Assert.That(headers, Is.EquivalentTo(new Dictionary<string, string> { ["DPoP"] = Proof }));
    }

    [Test]
    public void Build_WithToken_AddsAuthorizationDPoP()
    {
        var headers = DPoPHeaders.Build(Proof, "abc.def-ghi");
        Assert.That(headers, Is.EquivalentTo(new Dictionary<string, string> { ["DPoP"] = Proof, ["Authorization"] = "DPoP abc.def-ghi" }));
    }

    [Test]
    public void Build_Headers_ApplyToHttpRequestMessage()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://a.example/");
        foreach (var (name, value) in DPoPHeaders.Build(Proof, "abc"))
        {
            Assert.That(request.Headers.TryAddWithoutValidation(name, value), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(request.Headers.Authorization!.Scheme, Is.EqualTo("DPoP"));
            Assert.That(request.Headers.Authorization.Parameter, Is.EqualTo("abc"));
            Assert.That(request.Headers.GetValues("DPoP").Single(), Is.EqualTo(Proof));
        });
    }

    [TestCase("", TestName = "Proof_Empty")]
    [TestCase(" ", TestName = "Proof_Whitespace")]
    [TestCase("not-a-jws", TestName = "Proof_NoDots")]
    [TestCase("a.b.c.d", TestName = "Proof_FourParts")]
    [TestCase("a.b c.d", TestName = "Proof_Space")]
    public void Build_InvalidProof_ThrowsArgumentExceptionNamingProof(string proof)
    {
        Assert.That(Assert.Throws<ArgumentException>(() => DPoPHeaders.Build(proof))!.ParamName, Is.EqualTo("proof"));
    }

    [Test]
    public void Build_NullProof_ThrowsArgumentNullException()
    {
        Assert.That(Assert.Throws<ArgumentNullException>(() => DPoPHeaders.Build(null!))!.ParamName, Is.EqualTo("proof"));
    }

    [TestCase("", TestName = "Token_Empty")]
    [TestCase("a b", TestName = "Token_Space")]
    [TestCase("a\r\nInjected: 1", TestName = "Token_HeaderInjection")]
    public void Build_InvalidAccessToken_ThrowsArgumentExceptionNamingAccessToken(string token)
    {
        Assert.That(Assert.Throws<ArgumentException>(() => DPoPHeaders.Build(Proof, token))!.ParamName, Is.EqualTo("accessToken"));
    }
}
