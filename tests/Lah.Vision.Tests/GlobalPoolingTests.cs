using System.Reflection;
using System.Runtime.Serialization;
using Xunit;

namespace Lah.Vision.Tests;

public sealed class GlobalPoolingTests
{
    /// <summary>Experiment records spell the pooling as these attributes say (in YAML and in their content hash).</summary>
    [Fact]
    public void Each_pooling_carries_its_record_spelling()
    {
        var spellings = typeof(GlobalPooling).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => (GlobalPooling)f.GetValue(null)!, f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value);
        Assert.Equal(new Dictionary<GlobalPooling, string?> { [GlobalPooling.Max] = "max-pool", [GlobalPooling.Average] = "avg-pool" }, spellings);
    }
}
