namespace DPoP.Http.Tests.Support;

/// <summary>The verifier the other tests lean on must itself reject what is wrong.</summary>
public sealed class IndependentProofVerifierTests
{
    [Test]
    public void Verify_TamperedPayload_Fails()
    {
        var proof = DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/");
        var parts = proof.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]))
            .Replace("\"GET\"", "\"PUT\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        Assert.That(() => IndependentProofVerifier.Verify(tampered), Throws.InstanceOf<AssertionException>());
    }

    [Test]
    public void Verify_SignatureOfAnotherKey_Fails()
    {
        var a = DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/").Split('.');
        var b = DPoPProof.Create(DPoPKey.Generate(), "GET", "https://a.example/").Split('.');

        Assert.That(() => IndependentProofVerifier.Verify($"{a[0]}.{a[1]}.{b[2]}"), Throws.InstanceOf<AssertionException>());
    }
}
