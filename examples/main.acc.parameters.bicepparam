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
param openAILocations = [
  {
    name: 'westeurope'
    abbreviation: 'weu'
    priority: 1
    deployments: [
      {
        deploymentName: 'gpt-4o'
        modelName: 'gpt-4o'
        modelVersion: '2024-11-20'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
      {
        deploymentName: 'gpt-4o-mini-2024.07.18'
        modelName: 'gpt-4o-mini'
        modelVersion: '2024-07-18'
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
        deploymentName: 'gpt-4o'
        modelName: 'gpt-4o'
        modelVersion: '2024-11-20'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
      {
        deploymentName: 'gpt-4o-mini-2024.07.18'
        modelName: 'gpt-4o-mini'
        modelVersion: '2024-07-18'
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
        deploymentName: 'gpt-4o'
        modelName: 'gpt-4o'
        modelVersion: '2024-11-20'
        skuName: 'GlobalStandard'
        skuCapacity: 30
      }
      {
        deploymentName: 'gpt-4o-mini-2024.07.18'
        modelName: 'gpt-4o-mini'
        modelVersion: '2024-07-18'
        skuName: 'GlobalStandard'
        skuCapacity: 50
      }
    ]
  }
]
