using System.Text;

namespace DPoP.Http.Tests.Http;

public sealed class DPoPNonceChallengeTests
{
    [TestCase("{\"error\":\"use_dpop_nonce\"}", true, TestName = "Json_Minimal")]
    [TestCase("\uFEFF{ \"error_description\": \"x\", \"error\" : \"use_dpop_nonce\" }", true, TestName = "Json_BomAndOrder")]
    [TestCase("{\"nested\":{\"error\":\"use_dpop_nonce\"},\"error\":\"invalid_grant\"}", false, TestName = "Json_NestedErrorIgnored")]
    [TestCase("{\"error\":[\"use_dpop_nonce\"]}", false, TestName = "Json_ErrorNotString")]
    [TestCase("{\"error\":\"invalid_dpop_proof\"}", false, TestName = "Json_OtherError")]
    [TestCase("use_dpop_nonce", false, TestName = "Json_NotJson")]
    [TestCase("{\"error\":\"use_dpop_nonce\"", true, TestName = "Json_TruncatedAfterValue")]
    [TestCase("[{\"error\":\"use_dpop_nonce\"}]", false, TestName = "Json_Array")]
    [TestCase("{\"code\":1}", false, TestName = "Json_NoError")]
    public void JsonHasUseDPoPNonce(string body, bool expected)
    {
        Assert.That(DPoPNonceChallenge.JsonHasUseDPoPNonce(Encoding.UTF8.GetBytes(body), isFinalBlock: true), Is.EqualTo(expected));
    }
}
