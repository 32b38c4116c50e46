// Acceptance environment of the AI gateway.
// Validate:  aigw validate --params examples/main.acc.parameters.bicepparam
// Rehearse:  aigw plan --params examples/main.acc.parameters.bicepparam --offline
using '../main.bicep'

param environment = 'acc'
param suffix = 'x7k'
param location = 'westeurope'

param apimPublisherEmail = 'platform-team@contoso.com'
param apimPublisherName = 'Contoso Platform Engineering'

param tags = {
  environment: environment
  costCenter: 'CC-4711'
  managedBy: 'aigw'
}

// Regions in priority order: West Europe first, then Sweden Central, then France Central.
// Models: GA with GlobalStandard in all three regions. Retirement dates from Microsoft Learn,
// "Model retirement schedule" (checked 2026-12-01): gpt-5.1 2025-11-13 on 2027-05-15,
// gpt-5.4-mini 2026-03-17 on 2027-03-18. Move to newer versions before then.
param openAILocations = [
  {
    name: 'westeurope'
    abbreviation: 'weu'
    priority: 1
    deployments: [
      {
        deploymentName: 'gpt-5.1'
        modelName: 'gpt-5.1'
        modelVersion: '2025-11-13'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
      {
        deploymentName: 'gpt-5.4-mini'
        modelName: 'gpt-5.4-mini'
        modelVersion: '2026-03-17'
        skuName: 'GlobalStandard'
        skuCapacity: 100
      }
    ]
  }
  {
    name: 'swedencentral'
    abbreviation: 'sec'
    priority: 2
    deployments: [
      {
        deploymentName: 'gpt-5.1'
        modelName: 'gpt-5.1'
        modelVersion: '2025-11-13'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
      {
        deploymentName: 'gpt-5.4-mini'
        modelName: 'gpt-5.4-mini'
        modelVersion: '2026-03-17'
        skuName: 'GlobalStandard'
        skuCapacity: 100
      }
    ]
  }
  {
    name: 'francecentral'
    abbreviation: 'frc'
    priority: 3
    deployments: [
      {
        deploymentName: 'gpt-5.1'
        modelName: 'gpt-5.1'
        modelVersion: '2025-11-13'
        skuName: 'GlobalStandard'
        skuCapacity: 30
      }
      {
        deploymentName: 'gpt-5.4-mini'
        modelName: 'gpt-5.4-mini'
        modelVersion: '2026-03-17'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
    ]
  }
]
